// What the jobs of a called workflow (`jobs.<id>.uses`, docs/github-actions.md "Reusable
// workflows") read when they start: `inputs` and `secrets` from the calls that lead to
// them (spec/model.h WorkflowCall), and `needs.<id>` by the names their file gives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::spec {

// The key of the needed job `needed` in the `needs` context of a job whose name starts
// with `prefix` ("deploy / "): the name without the " / "-ended segments they share, so
// a called job reads `needs.build` for "deploy / build".
std::string NeedsKey(const std::string& needed, const std::string& prefix);

// Replaces contexts["inputs"] and contexts["secrets"] with what `calls` give, outermost
// first, each evaluated in the contexts the call before it left. An input that fails to
// evaluate is an error naming it (its value is then "").
Status ApplyWorkflowCalls(const std::vector<WorkflowCall>& calls, nlohmann::json* contexts);

}  // namespace gauntlet::spec
