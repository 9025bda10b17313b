// A GitHub Actions job's steps as one bash script (docs/github-actions.md, "How steps
// run"). The scheduler runs one process per job attempt; the steps of a workflow job
// become one driver script that runs them in order, each in a subshell of its own with
// `set -eo pipefail` (GitHub's `bash --noprofile --norc -eo pipefail {0}`), and that
// provides the runner's files and variables ($GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_PATH,
// $GITHUB_STEP_SUMMARY, $GITHUB_EVENT_PATH, $RUNNER_TEMP, ...).
//
// Step bodies keep their `${{ }}` parts: the job's script is rendered by
// exec/job_render.h like any other, so a value from outside the workflow file reaches
// the step as an environment variable reference, never as shell text
// (spec/shell_template.h). A step `if:` is decided when the step is reached: its
// status functions are replaced by what the earlier steps did (WorkflowStatusVariants).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "spec/expr.h"
#include "spec/model.h"

namespace gauntlet::spec {

struct WorkflowStep {
  std::string id;     // "" when it has none
  std::string label;  // "Run tests" (the step's name, else its first line)
  // The step's condition for "no earlier step failed" and for "an earlier one failed",
  // both without status functions; "" is false, "true" is true.
  std::string if_ok = "true", if_failed;
  std::string run;          // the script, `${{ }}` parts kept; "" for a no-op step
  std::string shell;        // bash | sh | python | a command with {0}
  KeyValues env;            // values as written (templates)
  std::string working_directory;
  bool continue_on_error = false;
  // timeout-minutes; 0: none (the job's timeout applies). The step runs in a process
  // group of its own, stopped as a job's is: SIGTERM, SIGKILL 5 seconds later.
  double timeout_minutes = 0;
  // A JavaScript action's `post:` script (docs/github-actions.md, "Local actions"): run
  // after every step, in reverse order, when this step ran and `post_if` holds (always,
  // success: no step failed, failure: one did), with the state it saved in STATE_<name>.
  std::string post;
  std::string post_label;
  std::string post_if = "always";
};

// A job output: its name and the template that gives it.
struct WorkflowOutput {
  std::string name;
  std::string value;
};

// `steps.<id>.outputs.<name>`, `.outcome` and `.conclusion` are known only as the steps
// run, while the job's script is rendered when the job starts. Rendered, each reads as a
// placeholder, "\x1f" + path + "\x1f" (StepPlaceholders); the placeholder stands in
// the variable that carries the value to the script (a value from outside the file), and
// before each step the script replaces it with what the steps wrote. The loader accepts
// such a reference only as a whole `${{ }}`, so no function ever sees a placeholder.
inline constexpr char kStepPlaceholderMark = '\x1f';
// The `steps` context for a job's script: every `steps.*` path it reads, as placeholders.
nlohmann::json StepPlaceholders(const std::string& script);

// Anything else that reads `steps` — a step `if:` (`steps.a.outcome == 'failure'`), an
// expression around a reference (`format('v{0}', steps.a.outputs.b)`) — is evaluated
// when the step is reached: the script calls `gauntlet step-expr` (cli/step_expr.cc)
// with the expression (text from the file, single-quoted), the steps' results written
// to $RUNNER_TEMP/steps and the job's other contexts to $RUNNER_TEMP/contexts.json; the
// value is stored as a step output of the reserved id `__gh` (kDeferredStepId), so the
// step reads it through a placeholder like any whole reference.
inline constexpr const char* kDeferredStepId = "__gh";
// Whether `expr` reads the steps context at all, and whether as a whole reference.
bool ReadsSteps(const Expr& expr);
bool IsWholeStepReference(const Expr& expr);

// The condition `expr` (an `if:` without its wrapper) for a step after no failure and
// after a failure: each call of success(), failure(), always(), cancelled() replaced by
// its literal; without status functions it is `success() && (expr)`, as on GitHub.
void WorkflowStatusVariants(const Expr& expr, std::string* if_ok, std::string* if_failed);

// `text`, a template, as a double-quoted shell word: the literal text escaped, the
// `${{ }}` parts kept for the renderer, which quotes each for its place.
std::string DoubleQuotedTemplate(const std::string& text);

// The shells a step may name, and whether `shell` is one ({0} commands are).
bool KnownStepShell(std::string_view shell);

// The whole script of a job: prologue (runner files and variables), each step, the job's
// outputs written to $GAUNTLET_OUTPUT, and the exit status (1 if a step failed).
std::string WorkflowJobScript(const std::string& job_id, const std::vector<WorkflowStep>& steps,
                              const std::vector<WorkflowOutput>& outputs);

}  // namespace gauntlet::spec
