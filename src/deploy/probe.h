// gauntlet's own traffic probe: a steady, open-loop stream of GETs to each target (the
// canary and the stable slot, directly), so analysis has data even with no user traffic.
// Requests start on a fixed schedule whether or not earlier ones finished, so a slow
// target shows as latency, not as fewer requests (no coordinated omission).
#pragma once

#include <string>
#include <vector>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

struct ProbeOptions {
  double rate_per_second = 50;  // per target
  int requests = 0;             // per target over the window, evenly spread; 0: rate x window
  Duration window{std::chrono::seconds(10)};
  Duration timeout{std::chrono::seconds(5)};  // per request; a timeout is an error
};

struct ProbeStats {
  std::string url;
  int requests = 0;
  int errors = 0;                             // 5xx or transport error (refused, reset, timeout)
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;  // over every finished request
  std::vector<double> latencies_ms;  // every finished request's, sorted
  Duration window{0};
  double error_rate() const { return requests ? static_cast<double>(errors) / requests : 0; }
};

// Probes every target at the same time for the window; one ProbeStats per target, in
// order. A target is a group of URLs (the instances of a rolling batch) taking its
// requests in turn. An Error only when the probe itself cannot run (curl setup).
Result<std::vector<ProbeStats>> RunProbe(const std::vector<std::vector<std::string>>& targets,
                                         const ProbeOptions& options);

// Nearest-rank percentile (p in (0, 100]) of `values`, which it sorts; 0 when empty.
double Percentile(std::vector<double>* values, double p);

}  // namespace gauntlet::deploy
