// What the scheduler asks around a job's execution, for what it must not know itself:
// the job cache, change filters and artifacts (docs/caching.md), which read files and
// the store. The scheduler calls these on its own thread, only for `kJob` nodes, and
// only when SchedulerOptions::hooks is set; a hook that has nothing to do for a job
// must return at once (jobs without `inputs:`/`artifacts:`/`changes:` pay nothing).
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "exec/results.h"
#include "plan/plan.h"

namespace gauntlet::exec {

class JobHooks {
 public:
  virtual ~JobHooks() = default;

  // The job passed its `if:` and is about to be spawned; `results` holds every job's
  // result so far (its needs are final). A result means it does not run: taken from
  // the cache (kSuccess, `cached`) or skipped by its change filter (kSkipped, not
  // upstream_failed, so dependents see it as passed). An error fails the job with
  // that message (e.g. a need's artifacts could not be restored).
  virtual Result<std::optional<JobResult>> BeforeStart(const plan::PlannedJob& job,
                                                       const std::vector<JobResult>& results) = 0;

  // The job's attempt succeeded; `result` is about to be reported. The hook may fill
  // `cache_key` and `artifacts`. An error fails the job with that message (an
  // artifact glob that escapes the workspace, say).
  virtual Status AfterSuccess(const plan::PlannedJob& job, JobResult* result) = 0;
};

}  // namespace gauntlet::exec
