// A run's title: a workflow's `run-name:` (a pipeline's `run_name:`), rendered once when
// the run starts and kept with the run (store::RunRecord::title; docs/github-actions.md,
// "The workflow"). It reads only what GitHub lets run-name read: `github`, `inputs` and
// `vars` in a workflow, `branch` and `event` in a pipeline file. The rendered text is
// data: it is never parsed as a template again.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::engine {

struct RunTitleFacts {
  const nlohmann::json* event = nullptr;  // the `event` context (engine/event_context.h)
  std::string branch;
  std::string run_id;
  std::string workspace;
  const std::vector<std::pair<std::string, std::string>>* secrets = nullptr;  // masked
};

// "" when the file has no run-name; an error when it does not render.
Result<std::string> RenderRunTitle(const spec::Pipeline& pipeline, const RunTitleFacts& facts);

}  // namespace gauntlet::engine
