// Analysis of a deploy step: verdict rules (pure) and Argo-Rollouts-style counting.
//
// Probe rules, canary against the stable slot (baseline) over the same window:
//   error rate fails when  canary > max_error_ratio x baseline  AND  canary > error_rate_floor
//     (no baseline, the last batch of a rolling deploy: canary > error_rate_floor)
//   p99 latency fails when canary > max_p99_ratio x baseline    AND  canary > p99 floor;
//     inconclusive when either side finished fewer than spec::kMinP99Samples requests
// Query metrics (prometheus, web) fail when their `condition` (a spec::Expr over
// `result`) is false. Counting per metric over a step's measurements:
//   failed > failure_limit -> Failed; inconclusive > inconclusive_limit -> Inconclusive;
//   consecutive provider errors > consecutive_error_limit -> Error.
// The analysis takes the worst metric phase (Failed > Error > Inconclusive > Successful).
// User documentation: docs/deploy.md.
#pragma once

#include <map>
#include <string>

#include "deploy/measurement.h"
#include "deploy/probe.h"
#include "spec/model.h"

namespace gauntlet::deploy {

// Below this p99 (ms) latency differences are noise, whatever the ratio (a 1 ms baseline
// on loopback would otherwise fail a 3.5 ms canary).
constexpr double kDefaultP99FloorMs = 25;

// `baseline` may be null: no instance of the old version left to compare with.
Measurement JudgeErrorRate(const ProbeStats& canary, const ProbeStats* baseline,
                           const spec::Analysis& rules);
Measurement JudgeP99(const ProbeStats& canary, const ProbeStats& baseline,
                     const spec::Analysis& rules, double p99_floor_ms = kDefaultP99FloorMs);
// The environment's SLO bounds against the new version's window, one Measurement per
// bound set ("slo_p95_ms", "slo_error_rate", ...): fail above the bound (equal passes);
// a percentile p from fewer than 100 / (100 - p) finished requests (2 for a p50, 20 for
// a p95, spec::kMinP99Samples for a p99) is inconclusive, as is an error rate from none.
std::vector<Measurement> JudgeSlo(const ProbeStats& canary, const spec::Slo& slo);
// A query metric's sample against its condition (empty condition: recorded, passes).
Measurement JudgeQuery(const spec::MetricQuery& query, const MetricSample& sample, Duration window);

enum class AnalysisPhase { kRunning, kSuccessful, kInconclusive, kError, kFailed };
const char* AnalysisPhaseName(AnalysisPhase p);

// Counts a step's measurements. Not thread-safe.
class AnalysisTally {
 public:
  explicit AnalysisTally(const spec::Analysis& rules);

  // Adds one measurement; returns kRunning while no limit is exceeded, else the phase
  // the analysis ended in (the step should stop there).
  AnalysisPhase Add(const Measurement& m);
  // The step's time is up: the current phase, or kSuccessful when no limit was exceeded
  // (kInconclusive when nothing was measured at all).
  AnalysisPhase Finish() const;

  struct Counts {
    int measurements = 0, passed = 0, failed = 0, inconclusive = 0, errors = 0;
    int consecutive_errors = 0;
  };
  const std::map<std::string, Counts>& counts() const { return counts_; }

 private:
  AnalysisPhase PhaseOf(const Counts& c) const;
  AnalysisPhase Current() const;
  spec::Analysis rules_;
  std::map<std::string, Counts> counts_;  // by metric name
};

}  // namespace gauntlet::deploy
