// A plan as people and programs read it: every key of the pipeline file, resolved, one
// block per concrete job in execution order (`gauntlet plan`, and the API/MCP later).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "plan/plan.h"

namespace gauntlet::plan {

// Compact text: a pipeline header, then one block per job listing only keys that are set
// (needs, timeout and shell always).
std::string DescribeText(const Plan& plan);

// Everything, with defaults resolved: {"file","name","env","defaults","changes","on",
// "gates","environments","jobs":[...],"critical_path":[names]}.
nlohmann::json DescribeJson(const Plan& plan);

// One job's JSON object (as in DescribeJson's "jobs").
nlohmann::json JobJson(const Plan& plan, const PlannedJob& job);

}  // namespace gauntlet::plan
