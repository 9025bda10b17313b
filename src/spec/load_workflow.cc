// Reading a GitHub Actions workflow file into the pipeline model: the workflow's keys,
// its jobs (load_workflow_steps.cc reads their steps), every key gauntlet does not
// honour reported where it is written (docs/github-actions.md).
#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "spec/expr.h"
#include "spec/job_diagnostics.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kWorkflowKeys = {"name",     "run-name",    "on",   "env",
                                                "defaults", "permissions", "concurrency", "jobs"};
const std::vector<std::string> kWorkflowJobKeys = {
    "name",     "needs",       "if",          "runs-on",  "strategy", "timeout-minutes",
    "continue-on-error",       "env",         "outputs",  "environment", "defaults",
    "steps",    "permissions", "concurrency", "services", "container", "uses",
    "with",     "secrets"};
// GitHub's default job timeout.
constexpr int kDefaultTimeoutMinutes = 360;

void IgnoredKey(LoadState& s, const YamlNode* k, const std::string& where, const char* why) {
  s.reader.Warning(k, "'" + k->value + "' of " + where + " is ignored", why);
}

void ReadRunDefaults(LoadState& s, const YamlNode* n, const std::string& where,
                     StepDefaults* out) {
  s.reader.ForEach(n, where + ".defaults", {"run"},
                   [&](const std::string&, const YamlNode*, const YamlNode* run) {
                     s.reader.ForEach(run, where + ".defaults.run", {"shell", "working-directory"},
                                      [&](const std::string& key, const YamlNode*,
                                          const YamlNode* v) {
                                        if (key == "shell" && s.reader.String(v, &out->shell) &&
                                            !KnownStepShell(out->shell))
                                          UnknownShell(s, v, out->shell);
                                        if (key == "working-directory")
                                          s.reader.String(v, &out->working_directory);
                                      });
                   });
}

bool StartsWithNoCase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// A label this Linux host cannot be: a hosted Windows or macOS runner.
bool ForeignLabel(const std::string& label) {
  return StartsWithNoCase(label, "windows") || StartsWithNoCase(label, "macos");
}

void CheckLabel(LoadState& s, const YamlNode* n, const Job& job) {
  const std::string& label = n->value;
  if (ForeignLabel(label)) {
    s.reader.Error(n, "job '" + job.name + "' runs on '" + label + "': gauntlet runs jobs on this "
                   "Linux host, without virtual machines",
                   "use ubuntu-latest (or self-hosted), or leave this job to GitHub: "
                   "gauntlet run --only <other jobs>");
    return;
  }
  if (label.find("${{") != std::string::npos) {
    // `runs-on: ${{ matrix.os }}`: the matrix values are the labels.
    const std::string axis = label.substr(0, label.find("}}"));
    for (const auto& [name, values] : job.matrix.axes) {
      if (axis.find("matrix." + name) == std::string::npos) continue;
      for (const MatrixValue& v : values)
        if (ForeignLabel(v.text))
          s.reader.Error(n, "job '" + job.name + "' runs on '" + v.text + "' (matrix." + name +
                             "): gauntlet runs jobs on this Linux host",
                         "exclude it: strategy.matrix.exclude: [{" + name + ": " + v.text + "}]");
    }
    return;
  }
  static const std::vector<std::string> kHostLabels = {"self-hosted", "linux", "x64"};
  if (StartsWithNoCase(label, "ubuntu") ||
      std::find(kHostLabels.begin(), kHostLabels.end(), label) != kHostLabels.end())
    return;
  s.reader.Warning(n, "runner label '" + label + "' is not checked: the job runs on this host",
                   "gauntlet runs every job on the machine it runs on (docs/github-actions.md)");
}

void ReadRunsOn(LoadState& s, const YamlNode* v, const Job& job) {
  if (v->is_scalar() && !v->is_null()) return CheckLabel(s, v, job);
  if (v->is_sequence()) {
    for (const YamlNode* item : v->items)
      if (item->is_scalar()) CheckLabel(s, item, job);
    return;
  }
  s.reader.ForEach(v, "runs-on", {"group", "labels"},
                   [&](const std::string& key, const YamlNode* k, const YamlNode* w) {
                     if (key == "labels") return ReadRunsOn(s, w, job);
                     IgnoredKey(s, k, "runs-on", "runner groups do not exist here: the job "
                                                 "runs on this host");
                   });
}

void ReadStrategy(LoadState& s, const YamlNode* n, Job* job) {
  s.reader.ForEach(n, "strategy", {"matrix", "fail-fast", "max-parallel"},
                   [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                     if (key == "matrix") {
                       if (v->is_scalar() && v->value.find("${{") != std::string::npos) {
                         // The plan, and the run's job records, are fixed when a run
                         // starts: no job can be added when a needed job finishes.
                         s.reader.Error(v, "a matrix computed by an expression is not "
                                           "supported: gauntlet fixes a run's jobs when it "
                                           "starts (docs/github-actions.md)",
                                        "write the axes in the file, or loop over the "
                                        "computed values in one job's steps");
                         return;
                       }
                       return ReadMatrix(s, k, v, job);
                     }
                     // The matrix's jobs are a group of the plan (plan::JobGroup).
                     if (key == "fail-fast") return (void)s.reader.Bool(v, &job->fail_fast);
                     s.reader.Int(v, &job->max_parallel, 1, 256);
                   });
}

// `continue-on-error: true`, or an expression of the matrix (GitHub's example:
// `${{ matrix.experimental }}`), decided for each combination when planning.
void ReadContinueOnError(LoadState& s, const YamlNode* v, Job* job) {
  if (!v->is_scalar() || v->value.find("${{") == std::string::npos)
    return (void)s.reader.Bool(v, &job->continue_on_error);
  Expr expr;
  ExprError error;
  if (!Expr::ParseCondition(v->value, &expr, &error))
    return s.reader.Error(v, "continue-on-error: " + error.message, error.hint);
  for (const Expr::Reference& ref : expr.References())
    if (ref.path.empty() || ref.path[0] != "matrix")
      return s.reader.Error(v, "continue-on-error may read only the matrix here: gauntlet "
                               "decides it for each combination when it plans the run",
                            "continue-on-error: ${{ matrix.experimental }}");
  for (const auto& [name, offset] : expr.Calls())
    if (name == "success" || name == "failure" || name == "always" || name == "cancelled" ||
        name == "hashFiles")
      return s.reader.Error(v, "continue-on-error cannot call " + name + "()",
                            "continue-on-error: ${{ matrix.experimental }}");
  job->continue_on_error_expr = v->value;
}

// `environment: NAME` or `{name, url}`: kept for `gauntlet plan`; what GitHub attaches
// to an environment is not there, which the warning says.
void ReadJobEnvironment(LoadState& s, const YamlNode* k, const YamlNode* v,
                        const std::string& where, Job* job) {
  const YamlNode* name = v->is_scalar() ? v : nullptr;
  if (v->is_map()) {
    s.reader.ForEach(v, "environment", {"name", "url"},
                     [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                       if (key == "name") name = w;
                       // Often steps.*: shown as written, never evaluated.
                       if (key == "url") s.reader.String(w, &job->environment_url);
                     });
  } else if (!name) {
    return s.reader.TypeError(v, "an environment name or {name, url}",
                              "environment: {name: production, url: https://example.com}");
  }
  if (!name) return s.reader.Error(v, "environment has no name", "environment: {name: production}");
  if (!s.reader.String(name, &job->environment)) return;
  s.reader.Warning(k, "environment '" + job->environment + "' of " + where + " is not one of "
                      "gauntlet's: the job runs without its protection rules (required reviewers, "
                      "wait timer, deployment branches) and without its secrets and variables; "
                      "its url is shown by gauntlet plan only",
                   "give the job its secrets with --secrets-file; gauntlet's own deploy "
                   "environments are in docs/deploy.md");
}

// A job's outputs: templates rendered when the steps are done; their steps.* references
// are checked once the steps are read.
void ReadJobOutputs(LoadState& s, const YamlNode* n, int ji, WorkflowJobParts* parts) {
  s.reader.ForEach(n, "outputs", {}, [&](const std::string& key, const YamlNode*,
                                          const YamlNode* v) {
    std::string text;
    if (!s.reader.String(v, &text)) return;
    s.pipeline.jobs[ji].outputs.push_back(key);
    parts->outputs.push_back({key, text});
    size_t begin = s.uses.size();
    s.exprs.CheckTemplate(v, ji);
    parts->output_uses.emplace_back(begin, s.uses.size());
  });
}

// What ReadWorkflowJob gathers from a job's keys for after them.
struct JobKeys {
  WorkflowJobParts parts;
  const YamlNode* steps = nullptr;
  const YamlNode* runs_on = nullptr;
};

// One key of job `ji` (`where` names it in messages).
void ReadWorkflowJobKey(LoadState& s, int ji, const std::string& where, const std::string& key,
                        const YamlNode* k, const YamlNode* v, JobKeys* out) {
  Job& j = s.pipeline.jobs[static_cast<size_t>(ji)];
  if (key == "needs") {
    s.reader.LocatedList(v, &j.needs, true);
  } else if (key == "if") {
    j.if_loc = s.reader.Loc(v);
    std::string text;
    if (s.reader.String(v, &text)) j.if_expr = s.exprs.CheckCondition(v, ji);
  } else if (key == "runs-on") {
    out->runs_on = v;
  } else if (key == "strategy") {
    ReadStrategy(s, v, &j);
  } else if (key == "timeout-minutes") {
    double minutes = 0;
    if (s.reader.Number(v, &minutes, 0.01, 100000))
      j.timeout = Duration(std::chrono::milliseconds(static_cast<int64_t>(minutes * 60000)));
  } else if (key == "continue-on-error") {
    ReadContinueOnError(s, v, &j);
  } else if (key == "env") {
    ReadEnv(s, v, "env of " + where, ji, &j.env, &j.env_locs);
  } else if (key == "outputs") {
    ReadJobOutputs(s, v, ji, &out->parts);
  } else if (key == "defaults") {
    ReadRunDefaults(s, v, where, &out->parts.defaults);
  } else if (key == "steps") {
    out->steps = v;
  } else if (key == "name") {
    std::string name;
    s.reader.String(v, &name);  // GitHub's display name; gauntlet names jobs by id
  } else if (key == "environment") {
    ReadJobEnvironment(s, k, v, where, &j);
  } else if (key == "concurrency") {
    ReadConcurrency(s, v, &j.concurrency, ji);  // the scheduler's (exec/job_concurrency.h)
  } else if (key == "permissions") {
    IgnoredKey(s, k, where, "there is no GITHUB_TOKEN to scope");
  } else if (key == "services" || key == "container") {
    s.reader.Error(k, where + " uses '" + key + "', which needs Docker",
                   "gauntlet runs jobs on the host without Docker: start the service in a "
                   "step (or before the run), or leave this job to GitHub");
  } else {  // with, secrets: a job without uses
    s.reader.Error(k, where + " has '" + key + "' but does not call a reusable workflow",
                   "uses: ./.github/workflows/NAME.yml, or remove it");
  }
}

void ReadWorkflowJob(LoadState& s, const YamlNode* n, size_t index, const StepDefaults& defaults) {
  const int ji = static_cast<int>(index);
  auto job = [&]() -> Job& { return s.pipeline.jobs[index]; };
  const std::string where = "job '" + job().name + "'";
  job().cache = false;  // a workflow job runs each time, as on GitHub
  job().timeout = Duration(std::chrono::minutes(kDefaultTimeoutMinutes));
  job().fail_fast = true;  // GitHub's default for a matrix
  JobKeys keys;
  keys.parts.defaults = defaults;
  if (!s.reader.ForEach(n, where, kWorkflowJobKeys,
                        [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                          ReadWorkflowJobKey(s, ji, where, key, k, v, &keys);
                        })) {
    return;
  }
  if (keys.runs_on)
    ReadRunsOn(s, keys.runs_on, job());
  else
    s.reader.Error(n, where + " has no runs-on", "runs-on: ubuntu-latest");
  if (!keys.steps) {
    s.reader.Error(n, where + " has no steps", "steps: [{run: make}]");
    return;
  }
  ReadWorkflowSteps(s, keys.steps, index, &keys.parts);
  // GitHub's ::error file=...:: commands, and the parsers the steps' tools select.
  std::vector<std::string> parsers = DiagnosticsFor(job());
  parsers.insert(parsers.begin(), "github");
  job().diagnostics = std::move(parsers);
}

}  // namespace

// The run's title, rendered when a run starts (engine/run_title.h). As on GitHub it may
// read only what is known then: github, inputs and vars (a pipeline file: branch, event).
void ReadRunName(LoadState& s, const YamlNode* v) {
  Pipeline& p = s.pipeline;
  if (!s.reader.String(v, &p.run_name)) return;
  if (p.run_name.find("${{") == std::string::npos) return;
  const size_t problems = s.reader.problems()->all().size();
  s.exprs.CheckTemplate(v, -1);
  if (s.reader.problems()->all().size() != problems) return;
  Template t;
  ExprError err;
  if (!Template::Parse(p.run_name, &t, &err)) return;
  const std::vector<std::string> allowed =
      p.workflow ? std::vector<std::string>{"github", "inputs", "vars"}
                 : std::vector<std::string>{"branch", "event"};
  for (const auto& [expr, offset] : t.expressions()) {
    for (const Expr::Reference& ref : expr.References()) {
      if (ref.path.empty() ||
          std::find(allowed.begin(), allowed.end(), ref.path[0]) != allowed.end())
        continue;
      s.reader.Error(v, "run-name cannot read '" + ref.path[0] + "': it is rendered when the "
                        "run starts, with " + JoinComma(allowed) + " only",
                     p.workflow ? "run-name: Deploy ${{ inputs.environment }} by @${{ github.actor }}"
                                : "run_name: deploy of ${{ branch }}");
      return;
    }
    for (const auto& [name, at] : expr.Calls())
      if (name == "success" || name == "failure" || name == "always" || name == "cancelled" ||
          name == "hashFiles")
        return s.reader.Error(v, "run-name cannot call " + name + "()",
                              "run-name: Deploy ${{ inputs.environment }}");
  }
}

bool IsWorkflowFile(std::string_view path, const YamlNode* root) {
  if (path.find(".github/workflows/") != std::string_view::npos) return true;
  if (!root || !root->is_map()) return false;
  for (size_t i = 0; i < root->pairs(); ++i) {
    const YamlNode* jobs = root->val(i);
    if (root->key(i)->value != "jobs" || !jobs->is_map()) continue;
    for (size_t j = 0; j < jobs->pairs(); ++j) {
      const YamlNode* job = jobs->val(j);
      for (size_t k = 0; job->is_map() && k < job->pairs(); ++k)
        if (job->key(k)->value == "steps" || job->key(k)->value == "runs-on") return true;
    }
  }
  return false;
}

void ReadWorkflow(LoadState& s, const YamlNode* root) {
  Pipeline& p = s.pipeline;
  p.workflow = true;
  if (!root || !root->is_map()) {
    s.reader.problems()->Error(Location{s.reader.file(), 1, 1},
                               "expected a map at the top of the workflow file",
                               "a workflow has on: and jobs:");
    return;
  }
  StepDefaults defaults;
  const YamlNode* jobs = nullptr;
  s.reader.ForEach(root, "the workflow", kWorkflowKeys,
                   [&](const std::string& key, const YamlNode* k, const YamlNode* v) {
                     if (key == "name") s.reader.String(v, &p.name);
                     // A called workflow's run-name names no run, as on GitHub.
                     if (key == "run-name" && s.call_stack.empty()) ReadRunName(s, v);
                     if (key == "on" && s.call_stack.empty()) ReadWorkflowOn(s, v);
                     if (key == "env") ReadEnv(s, v, "env", -1, &p.env, nullptr);
                     if (key == "defaults") ReadRunDefaults(s, v, "the workflow", &defaults);
                     if (key == "permissions")
                       IgnoredKey(s, k, "the workflow", "there is no GITHUB_TOKEN to scope");
                     if (key == "concurrency") ReadConcurrency(s, v, &p.concurrency, -1);  // the server's
                     if (key == "jobs") jobs = v;
                   });
  if (!jobs) {
    s.reader.problems()->Error(Location{s.reader.file(), root->line + 1, root->col + 1},
                               "the workflow has no jobs", "add jobs: {build: {runs-on: ...}}");
    return;
  }
  if (jobs->is_map()) p.jobs.reserve(jobs->pairs());
  s.reader.ForEach(jobs, "jobs", {}, [&](const std::string& key, const YamlNode* k,
                                          const YamlNode* v) {
    size_t index = p.jobs.size();
    Job& job = p.jobs.emplace_back();
    job.name = key;
    job.loc = s.reader.Loc(k);
    job.shell = "bash";
    if (!v->is_map()) {
      s.reader.TypeError(v, "a job (a map with runs-on and steps)",
                         "build: {runs-on: ubuntu-latest, steps: [{run: make}]}");
      return;
    }
    for (size_t i = 0; i < v->pairs(); ++i)
      if (v->key(i)->value == "uses") return ReadWorkflowCall(s, v, index);
    ReadWorkflowJob(s, v, index, defaults);
  });
  FinishWorkflowExpressions(s);
}

}  // namespace gauntlet::spec
