// Seeding a run with results it does not re-run: jobs that succeeded in an earlier run
// (resume, retry, --from) and jobs left out by a selection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "exec/results.h"
#include "plan/plan.h"
#include "store/store.h"

namespace gauntlet::engine {

using Seed = std::vector<std::pair<plan::JobId, exec::JobResult>>;

// The plan's jobs that succeeded in run `run` (matched by name), as resumed results
// carrying their outputs.
Result<Seed> SucceededJobs(store::Store& store, store::RunId run, const plan::Plan& plan,
                           bool resumed);

// Adds every job that is not `selected` and not already in *seed: taken from `earlier`
// when it is there (a --from selection's needs), else skipped as "not selected".
void AddUnselected(const plan::Plan& plan, const std::vector<plan::JobId>& selected,
                   const Seed& earlier, const std::string& flag, Seed* seed);

// A fingerprint of the plan's shape (job names and edges): --resume refuses a plan that
// changed since the run started.
std::string PlanFingerprint(const plan::Plan& plan);

// The plan's edges as recorded on the run for `gauntlet insight` (its critical path from
// measured durations): the needs of each job by index, "[[],[0],[0,1]]".
std::string PlanNeedsJson(const plan::Plan& plan);

}  // namespace gauntlet::engine
