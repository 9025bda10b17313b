// Advice from the history: each item says what to change, the numbers it rests on
// (`evidence`) and what it would save, computed from those numbers, never guessed. The
// kinds and their thresholds are in docs/insight.md ("Advice"). Pure.
#pragma once

#include <vector>

#include "insight/aggregate.h"
#include "insight/report.h"

namespace gauntlet::insight {

// Below these counts in the window a pipeline or job gets no advice: too little history.
inline constexpr int64_t kAdviceMinRuns = 5;
// A job dominates the critical path when it is on it in at least this share of the
// successful runs and takes at least this share of the median run's path.
inline constexpr double kDominantRunShare = 0.5;
inline constexpr double kDominantPathShare = 0.5;
// A flaky job is worth quarantining from this rate and this many flaky executions on.
inline constexpr double kQuarantineRate = 0.02;
inline constexpr int64_t kQuarantineMin = 2;

// Largest saving over the window first. `pipelines` must have their critical paths.
std::vector<Advice> Advise(const std::vector<PipelineStats>& pipelines,
                           const std::vector<FlakyJob>& flaky,
                           const std::vector<RerunEvidence>& reruns);

}  // namespace gauntlet::insight
