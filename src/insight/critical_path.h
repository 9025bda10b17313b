// The critical path of a run: the chain of jobs, following the plan's edges, whose
// measured durations add up to the most. Nothing on another chain can make the run
// shorter than it; shortening a job on it shortens the run until another chain becomes
// the longest. Pure: the durations and edges come from the store (docs/insight.md).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace gauntlet::insight {

// One job of a run: how long it took (0 when it did not run: cached, skipped) and the
// jobs it needs, by index. Indexes are the plan's order, where needs come first.
struct PathNode {
  int64_t duration_ms = 0;
  std::vector<int> needs;
};

struct CriticalPath {
  int64_t length_ms = 0;  // the sum of the durations along it
  std::vector<int> jobs;  // first to last
};

// A run's recorded plan edges (store::RunRecord::needs: "[[],[0],[0,1]]", the needs of
// each job by index) as lists; malformed text reads as no edges.
std::vector<std::vector<int>> ParseNeeds(std::string_view json);

// The longest chain. Ties go to the lower job index, so the answer is deterministic.
// Needs that do not point to an earlier job are ignored (the plan's order guarantees it).
CriticalPath LongestPath(const std::vector<PathNode>& nodes);

// How much shorter the longest chain becomes if job `job` took `new_ms` instead:
// length - (longest chain with that duration). Never more than the job's own saving,
// and never more than the gap to the longest chain that avoids the job.
int64_t ShrinkIf(const std::vector<PathNode>& nodes, int job, int64_t new_ms);

}  // namespace gauntlet::insight
