// The loader's parts (load.cc: file and structure, load_job.cc: one job,
// load_triggers.cc: on/trigger, load_deploy.cc: environments and gates) share this
// state. Internal to spec/: other layers use load.h.
#pragma once

#include <memory>
#include <tuple>
#include <vector>

#include "spec/expr_check.h"
#include "spec/model.h"
#include "spec/workflow_script.h"
#include "spec/yaml_reader.h"

namespace gauntlet::spec {

struct LoadState {
  LoadState(std::string file, std::string_view source, Problems* problems)
      : reader(std::move(file), source, problems), exprs(&reader, &uses) {}
  YamlReader reader;
  std::vector<ExprUse> uses;
  ExprChecker exprs;
  Pipeline pipeline;
  // Command nodes with their job's index, in file order: checked once the whole file is
  // read (CheckScripts), as the job's shell and env may come after them.
  std::vector<std::pair<int, const YamlNode*>> scripts;
  // Local actions (`uses: ./path`) expanded so far in the workflow, and how deep the one
  // being read is nested in others.
  int local_actions = 0;
  int action_depth = 0;
  // Reusable workflows: the files of the calls that lead to this one (empty at the top),
  // and every file called from the top-level workflow, shared by its nested loads.
  std::vector<std::string> call_stack;
  std::shared_ptr<std::vector<std::string>> called_files =
      std::make_shared<std::vector<std::string>>();
};

// Reads the job map `n` into pipeline.jobs[index]. `in_stage`: the stages spelling,
// where the name is a `name:` key rather than the map key.
void ReadJob(LoadState& s, const YamlNode* n, size_t index, bool in_stage);
// An env block; values may hold expressions (checked in the scope of `job`, -1: none).
void ReadEnv(LoadState& s, const YamlNode* n, std::string_view where, int job, KeyValues* out,
             std::vector<Location>* locs);
// A glob or list of globs (`inputs:`, `artifacts:`, `changes:`), each checked by
// core/glob.h's compiler; a bad pattern is a problem at its own line and column.
void ReadGlobs(LoadState& s, const YamlNode* n, std::vector<std::string>* out);
void ReadChangeFilter(LoadState& s, const YamlNode* n, std::string_view where, ChangeFilter* out);
// Secret names: identifiers usable as environment variables.
void ReadSecrets(LoadState& s, const YamlNode* n, std::vector<std::string>* out);

// Whether `name` is "UTC" or a zone of the system's zone database (tzdata).
bool KnownZone(const std::string& name);

// `on:` (GitHub forms) or `trigger:` (seed form: branches, events, paths, schedule).
void ReadTriggers(LoadState& s, const YamlNode* n, bool seed_spelling);

// `notify:` of a pipeline file (load_notify.cc).
void ReadNotify(LoadState& s, const YamlNode* n);
// `caches:` of a pipeline file (load_caches.cc).
void ReadCaches(LoadState& s, const YamlNode* n);
// `run-name:` of a workflow (`run_name:`/`run-name:` of a pipeline file): the run's title.
void ReadRunName(LoadState& s, const YamlNode* v);

// `concurrency:` of a pipeline or workflow: `NAME` or {group, cancel-in-progress}.
void ReadConcurrency(LoadState& s, const YamlNode* n, Concurrency* target, int job);

// The deploy strategies a stage or an environment may name.
extern const std::vector<std::string> kStrategies;

// A `host:port` address; a problem at `n` when it is not one.
void CheckAddress(LoadState& s, const YamlNode* n, const std::string& address);
// Parts of an environment (load_analysis.cc). ReadAnalysis reads a step's own analysis
// (with `duration`) when step_duration is set, else the environment's (`pre_traffic`).
void ReadHealth(LoadState& s, const YamlNode* n, HealthCheck* h);
void ReadAnalysis(LoadState& s, const YamlNode* n, Analysis* a, Duration* step_duration);
// Needs env->analysis and env->pause read first: a step's analysis starts from them.
void ReadSteps(LoadState& s, const YamlNode* n, Environment* env);

void ReadGates(LoadState& s, const YamlNode* n);

// Reports, at the expression, every command template that would put a value from
// outside the pipeline file where the scheduler refuses it (spec/shell_template.h): a
// quoted heredoc, arithmetic, the script of a shell that is not POSIX.
void CheckScripts(LoadState& s);
void ReadEnvironments(LoadState& s, const YamlNode* n);
// `release:` (load_release.cc); its quality jobs and environment are checked against the
// rest of the file once it is read (CheckReleaseNames).
void ReadRelease(LoadState& s, const YamlNode* n);
void CheckReleaseNames(const Pipeline& p, Problems* problems);

// `matrix:` of a job (load_job.cc); `key` is where size problems are reported.
void ReadMatrix(LoadState& s, const YamlNode* key, const YamlNode* n, Job* job);

// GitHub Actions workflow files (load_workflow*.cc, docs/github-actions.md).
// A path under .github/workflows/, or a top-level jobs map whose jobs have steps or
// runs-on (keys a gauntlet job never has).
bool IsWorkflowFile(std::string_view path, const YamlNode* root);
void ReadWorkflow(LoadState& s, const YamlNode* root);
// `on:` with GitHub's events onto Triggers; events gauntlet does not raise are warnings.
void ReadWorkflowOn(LoadState& s, const YamlNode* n);

// `defaults.run` of the workflow or a job.
struct StepDefaults {
  std::string shell;  // "": GitHub's default (bash -e)
  std::string working_directory;
};
struct WorkflowJobParts {
  StepDefaults defaults;
  std::vector<WorkflowOutput> outputs;
  // Parallel to outputs: the range of `uses` its expressions recorded, so its steps.*
  // references are checked once the steps are known.
  std::vector<std::pair<size_t, size_t>> output_uses;
};
// Job `index`, whose map `n` has `uses:`: a call of a reusable workflow
// (load_workflow_call.cc). The called workflow's jobs are added as "NAME / job", and
// job `index` becomes the one that gives the call's outputs.
void ReadWorkflowCall(LoadState& s, const YamlNode* n, size_t index);
// The repository a workflow file belongs to: above .github/workflows/, else its directory.
std::string RepositoryRoot(const std::string& file);
// A file a workflow refers to (an action.yml, a called workflow); *ok: it could be read.
std::string ReadWorkflowFile(const std::string& path, bool* ok);
// Parses the text of such a file into `doc`; false after reporting where it is broken.
bool ParseWorkflowFile(LoadState& s, const std::string& file, const std::string& text,
                       YamlDocument* doc);
// Compiles the job's steps (and outputs) into its script (spec/workflow_script.h).
void ReadWorkflowSteps(LoadState& s, const YamlNode* steps, size_t job, WorkflowJobParts* parts);
void UnknownShell(LoadState& s, const YamlNode* n, const std::string& shell);
// One step of a workflow job, or of a composite action. `ids`: the ids of the steps
// before it, which its expressions may read. Steps a local action adds before it go to
// *before. False when the step is not a map.
bool ReadStep(LoadState& s, const YamlNode* item, int job, const std::vector<std::string>& ids,
              const StepDefaults& defaults, WorkflowStep* step, std::vector<WorkflowStep>* before);
// `uses: ./path` (docs/github-actions.md, "Local actions"): the action.yml under the
// workflow's repository. A JavaScript action makes `step` run its main file with the
// host's node; a composite one puts its steps into *before and makes `step` the one that
// sets the action's outputs.
void ReadLocalAction(LoadState& s, const YamlNode* uses, const std::string& path,
                     const YamlNode* with, int job, WorkflowStep* step,
                     std::vector<WorkflowStep>* before);
// Accepts the steps.* references recorded in uses[begin, end): each must name a step in
// `ids` (the steps before). A whole `${{ steps.ID.outputs.NAME }}` (.outcome,
// .conclusion) is read through a placeholder, anything larger is evaluated when the step
// is reached (spec/workflow_script.h says how). They are then taken out of `uses`.
void AcceptStepRefs(LoadState& s, size_t begin, size_t end, const std::vector<std::string>& ids);
// After every job is read: `steps.*` left in `uses` is where it cannot be read (an
// error), and the secrets the expressions read are declared, as GitHub needs no list.
void FinishWorkflowExpressions(LoadState& s);

}  // namespace gauntlet::spec
