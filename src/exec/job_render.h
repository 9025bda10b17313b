// What a job's process is given from its spec: the script and the environment the
// pipeline file sets, with their `${{ }}` rendered under the rule of
// spec/shell_template.h (docs/expressions.md): a value from outside the pipeline file
// reaches the script as an environment variable, never as shell text.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "plan/plan.h"

namespace gauntlet::exec {

struct RenderedJob {
  std::string script;  // the commands joined by newlines
  // In the order they apply (a later one of the same name wins): the pipeline's env,
  // the job's env, then the variables the script refers to (GAUNTLET_EXPR_1, ...).
  std::vector<std::pair<std::string, std::string>> env;
};

// `contexts` gives the evaluation contexts (spec::EvalContext's object; `env` holds
// gauntlet's own environment overlaid with the pipeline's and the job's env values as
// written); it is called only when some template has an expression.
Result<RenderedJob> RenderJob(const plan::PlannedJob& job, const plan::Plan& plan,
                              const std::function<nlohmann::json()>& contexts);

}  // namespace gauntlet::exec
