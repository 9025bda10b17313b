// Choosing part of a plan to run: `--only JOB...` and `--from JOB`.
// A name is a spec job name (all of its matrix jobs) or one concrete job's name.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "plan/plan.h"

namespace gauntlet::plan {

// The named jobs plus everything they transitively need, in plan (execution) order.
// A name matching no job is an error with a did-you-mean.
Result<std::vector<JobId>> SelectOnly(const Plan& plan, const std::vector<std::string>& names);

// The named job(s) plus everything that transitively depends on them, in plan order.
// Their own needs are not selected: when the run layer supports it, their outputs and
// artifacts come from the previous run of the pipeline.
Result<std::vector<JobId>> SelectFrom(const Plan& plan, const std::string& name);

}  // namespace gauntlet::plan
