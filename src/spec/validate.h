// Cross-reference checks over a loaded pipeline: names that must exist (needs,
// depends_on, environments, gates.required), unique job and stage names, and the
// contexts expressions read. Cycles are the planner's to find.
#pragma once

#include <vector>

#include "spec/expr_check.h"
#include "spec/model.h"
#include "spec/problems.h"

namespace gauntlet::spec {

void Validate(const Pipeline& pipeline, const std::vector<ExprUse>& uses, Problems* problems);

}  // namespace gauntlet::spec
