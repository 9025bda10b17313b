// The contexts a GitHub Actions workflow's expressions read beyond gauntlet's own
// (docs/github-actions.md, "Expressions"): github, inputs, vars, runner, job, strategy,
// built from the run's event (engine/event_context.h) and branch.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gauntlet::spec {

struct WorkflowRunFacts {
  const nlohmann::json* event = nullptr;  // the `event` context; null: a manual run
  std::string branch;
  std::string workflow;   // the workflow's name (else its file)
  std::string job;        // the job's id
  std::string run_id;
  std::string workspace;  // absolute
  int job_index = 0;      // the matrix combination's index, 0 without a matrix
  int job_total = 1;
  bool fail_fast = true;  // the job's strategy
  int max_parallel = 0;   // 0: as many as job_total
  const std::string* script = nullptr;  // the job's compiled steps, for `steps`
};

// Adds github, inputs, vars, runner, job, strategy and steps (placeholders:
// spec/workflow_script.h) to *contexts.
void AddWorkflowContexts(const WorkflowRunFacts& facts, nlohmann::json* contexts);

}  // namespace gauntlet::spec
