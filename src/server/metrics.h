// GET /metrics: the server in Prometheus' text format (version 0.0.4). Counters of what
// happened since the server started (webhook deliveries by outcome, job durations) are
// kept here; what the state holds (the queue by state, runs by status) is read from
// server.db when scraped, so those survive a restart.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "exec/observer.h"
#include "server/server_db.h"

namespace gauntlet::server {

enum class Delivery {
  kQueued,        // 202, queued
  kDuplicate,     // a delivery id seen before: 200, nothing queued
  kAcknowledged,  // an event that starts nothing (ping, ...): 202
  kUnauthorized,  // 401: no, forged or stale signature
  kMalformed,     // 400
  kUnknownRepo,   // 404
  kTooLarge,      // 413
  kCount
};

// The deployments of one repository's store, for /metrics: each one's environment, state
// and, while active, the traffic weight its new version has.
struct DeploymentSample {
  std::string repo, environment, state, strategy;
  int64_t id = 0;
  int weight = 0;
  bool active = false;
};

class Metrics {
 public:
  // Upper bounds of the job duration histogram, in seconds (+Inf is implied).
  static constexpr std::array<double, 11> kBuckets = {0.1, 0.5, 1,   5,    10,  30,
                                                      60,  120, 300, 900, 3600};

  void Count(Delivery d) { deliveries_[static_cast<size_t>(d)]++; }
  void ObserveJob(double seconds);
  std::string Render(const std::vector<QueueCount>& queue,
                     const std::vector<DeploymentSample>& deployments) const;

 private:
  std::array<std::atomic<int64_t>, static_cast<size_t>(Delivery::kCount)> deliveries_{};
  std::array<std::atomic<int64_t>, kBuckets.size() + 1> buckets_{};  // non-cumulative
  std::atomic<int64_t> job_ms_sum_{0};
};

// Observes a run's jobs for the duration histogram (on the run's thread).
class JobTimer : public exec::Observer {
 public:
  explicit JobTimer(Metrics* m) : m_(m) {}
  void OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) override;

 private:
  Metrics* m_;
};

}  // namespace gauntlet::server
