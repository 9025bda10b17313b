// `gauntlet gate`: the verdict on a change (auto-merge, needs-approval, reject) from
// its run, coverage, risk, its author's trust and the fix attempts so far.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/diagnosis_view.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "cli/workspace.h"
#include "gate/assess.h"
#include "gate/diagnostic.h"
#include "gate/run_diagnosis.h"

namespace gauntlet::cli {
namespace {

using nlohmann::json;

// Lines of each failed job's log kept in --json ("log_tail"), as `diagnose` does.
constexpr int kGateLogLines = 20;

struct GateArgs {
  std::string file, base, head, run, state_dir;
};

json AuthorJson(const gate::Author& a) { return {{"name", a.name}, {"email", a.email}}; }

std::string Short(const std::string& commit) {
  return commit.empty() ? "(none)" : commit.substr(0, 10);
}

// A rejected change's failed jobs, diagnosed (by name).
using Diagnoses = std::vector<gate::DiagnosedJob>;

const gate::DiagnosedJob* FindDiagnosis(const Diagnoses& list, const std::string& name) {
  for (const auto& d : list) {
    if (d.job.name == name) return &d;
  }
  return nullptr;
}

json AssessmentJson(const gate::Assessment& a, const Diagnoses& diagnoses) {
  const gate::Verdict& v = a.verdict;
  json commits = json::array();
  for (const auto& c : a.identity.commits) {
    commits.push_back({{"commit", c.commit},
                       {"author", AuthorJson(c.author)},
                       {"subject", c.subject},
                       {"agent_by", c.agent_by},
                       {"task_id", c.task_id},
                       {"model", c.model},
                       {"reverts", c.reverts}});
  }
  json files = json::array();
  for (const auto& f : a.risk.files) {
    files.push_back({{"path", f.path},
                     {"risk", gate::ToString(f.risk)},
                     {"added", f.added},
                     {"deleted", f.deleted}});
  }
  json authors = json::array();
  for (const auto& t : a.trust) {
    authors.push_back({{"author", AuthorJson(t.author)},
                       {"key", t.key},
                       {"level", gate::ToString(t.standing.level)},
                       {"merged", t.standing.merged},
                       {"incidents", t.standing.incidents},
                       {"history_days", t.standing.history_days},
                       {"why", t.standing.why},
                       {"next", t.standing.next}});
  }
  json checks = json::array();
  for (const auto& c : v.checks) {
    checks.push_back({{"name", c.name},
                      {"status", gate::ToString(c.status)},
                      {"value", c.value},
                      {"threshold", c.threshold},
                      {"message", c.message}});
  }
  json failed = json::array();
  for (const auto& f : v.failed_jobs) {
    json entry = {{"name", f.name}, {"status", f.status}, {"reason", f.reason}};
    // The job's category, every diagnostic, its failed tests and the suggestion.
    if (const gate::DiagnosedJob* d = FindDiagnosis(diagnoses, f.name))
      entry.update(DiagnosedJobJson(*d));
    failed.push_back(std::move(entry));
  }
  json out = {
      {"decision", gate::ToString(v.decision)},
      {"exit_code", gate::ExitCodeFor(v.decision)},
      {"reasons", v.reasons},
      {"change",
       {{"base", a.range.base},
        {"head", a.range.head},
        {"how", a.range.how},
        {"branch", a.range.head_branch.empty() ? a.run.git_branch : a.range.head_branch},
        {"default_branch", a.range.default_branch},
        {"commits", commits},
        {"files", files},
        {"lines", a.risk.lines},
        {"size", gate::ToString(a.risk.size)}}},
      {"identity",
       {{"author", AuthorJson(a.identity.author)},
        {"by_agent", a.identity.by_agent()},
        {"agent_by", a.identity.agent_by},
        {"task_id", a.identity.task_id},
        {"model", a.identity.model}}},
      {"risk",
       {{"class", gate::ToString(a.risk.risk)},
        {"size", gate::ToString(a.risk.size)},
        {"lines", a.risk.lines},
        {"allowed", gate::MaxRiskFor(a.trust_level)}}},
      {"trust", {{"level", gate::ToString(a.trust_level)}, {"authors", authors}}},
      {"run",
       {{"id", a.run.id},
        {"status", store::ToString(a.run.status)},
        {"commit", a.run.git_commit},
        {"branch", a.run.git_branch}}},
      {"fix_attempts", {{"count", a.fix_attempt_runs.size()}, {"runs", a.fix_attempt_runs}}},
      {"checks", checks},
      {"failed_jobs", failed},
      {"diagnostics", a.tests ? gate::ToJson(a.tests->diagnostics) : json::array()},
      {"reverts_recorded", a.reverts_recorded},
      {"notes", a.notes},
  };
  if (v.decision == gate::Decision::kReject) {
    out["next"] = fmt::format("gauntlet diagnose {}", a.run.id);
  }
  return out;
}

// Per failed job: its category, the first diagnostics and the fix suggested.
void PrintDiagnosis(const gate::DiagnosedJob& d) {
  // The first few are what to fix; a compile error can cascade into hundreds.
  constexpr size_t kShown = 5;
  const auto& list = d.diagnosis.diagnostics;
  fmt::print("    category {}{}\n",
             d.diagnosis.category ? gate::CategoryName(*d.diagnosis.category) : "unknown",
             d.tests ? fmt::format(", tests: {} failed of {}", d.tests->failures + d.tests->errors,
                                   d.tests->tests)
                     : "");
  for (size_t i = 0; i < list.size() && i < kShown; ++i)
    fmt::print("    {}\n", DiagnosticLine(list[i]));
  if (list.size() > kShown)
    fmt::print("    ... and {} more (--json lists them all)\n", list.size() - kShown);
  if (list.empty()) fmt::print("    no diagnostics found in its log\n");
  if (!d.diagnosis.suggestion.empty()) fmt::print("    suggestion: {}\n", d.diagnosis.suggestion);
}

void PrintHuman(const gate::Assessment& a, const Diagnoses& diagnoses, bool color) {
  const gate::Verdict& v = a.verdict;
  const char* paint = v.decision == gate::Decision::kAutoMerge       ? "\033[1;32m"
                      : v.decision == gate::Decision::kNeedsApproval ? "\033[1;33m"
                                                                     : "\033[1;31m";
  fmt::print("gate: {}{}{}\n", color ? paint : "", gate::ToString(v.decision),
             color ? "\033[0m" : "");
  int added = 0, deleted = 0;
  for (const auto& f : a.risk.files) {
    added += f.added;
    deleted += f.deleted;
  }
  fmt::print("  change  {}..{}: {} commit{}, {} file{}, +{} -{} lines, size {} ({})\n",
             Short(a.range.base), Short(a.range.head), a.identity.commits.size(),
             a.identity.commits.size() == 1 ? "" : "s", a.risk.files.size(),
             a.risk.files.size() == 1 ? "" : "s", added, deleted, gate::ToString(a.risk.size),
             a.range.how);
  std::string who = a.identity.author.name + " <" + a.identity.author.email + ">";
  if (a.identity.by_agent()) {
    who += "; agent " + a.identity.agent_by;
    if (!a.identity.task_id.empty()) who += ", task " + a.identity.task_id;
    if (!a.identity.model.empty()) who += ", model " + a.identity.model;
  }
  fmt::print("  author  {}\n", who);
  std::string risky;
  for (const auto& f : a.risk.files) {
    if (f.risk == a.risk.risk && risky.size() < 120) {
      risky += (risky.empty() ? "" : ", ") + f.path;
    }
  }
  fmt::print("  risk    {}{}\n", gate::ToString(a.risk.risk),
             risky.empty() ? "" : " (" + risky + ")");
  for (const auto& t : a.trust) {
    fmt::print("  trust   {}: {}{}\n", t.key, t.standing.why,
               t.standing.next.empty() ? "" : "; next: " + t.standing.next);
  }
  if (a.trust.empty()) fmt::print("  trust   L0: no author\n");
  fmt::print("  run     {} ({}) of {} on {}\n", a.run.id, store::ToString(a.run.status),
             Short(a.run.git_commit), a.run.git_branch.empty() ? "-" : a.run.git_branch);
  fmt::print("checks\n");
  for (const auto& c : v.checks) {
    fmt::print("  {:<15} {:<18} {}\n", gate::ToString(c.status), c.name, c.message);
  }
  if (!v.failed_jobs.empty()) {
    fmt::print("failed jobs\n");
    const bool any_failed = std::any_of(v.failed_jobs.begin(), v.failed_jobs.end(),
                                        [](const auto& f) { return f.status == "failed"; });
    std::string not_run;
    for (const auto& f : v.failed_jobs) {
      if (any_failed && f.status != "failed") {
        not_run += (not_run.empty() ? "" : ", ") + f.name;
        continue;
      }
      fmt::print("  {} ({}){}\n", f.name, f.status, f.reason.empty() ? "" : ": " + f.reason);
      if (const gate::DiagnosedJob* d = FindDiagnosis(diagnoses, f.name)) PrintDiagnosis(*d);
    }
    if (!not_run.empty()) fmt::print("  did not run because of them: {}\n", not_run);
  }
  // The diagnoses above list the failed tests of the failed jobs already.
  if (diagnoses.empty() && a.tests && !a.tests->diagnostics.empty()) {
    fmt::print("failed tests\n");
    for (const auto& d : a.tests->diagnostics) {
      fmt::print("  {}: {}\n", gate::FormatLocation(d), d.message.substr(0, d.message.find('\n')));
    }
  }
  for (const auto& n : a.notes) fmt::print("note: {}\n", n);
  if (v.decision == gate::Decision::kReject) {
    fmt::print(
        "next: `gauntlet diagnose {}` lists every failure with the end of each log (also as "
        "SARIF)\n",
        a.run.id);
  }
}

// The required jobs that failed in the judged run, diagnosed from their stored
// logs and reports with the parsers the pipeline file names.
Result<Diagnoses> DiagnoseFailedJobs(store::Store& store, const gate::Assessment& a,
                                     const LoadedPipeline& loaded, const Workspace& ws) {
  auto jobs = store.GetJobs(a.run.id);
  if (!jobs.ok()) return jobs.error();
  std::vector<store::JobRecord> failed;
  for (const store::JobRecord& j : *jobs) {
    if (j.status != store::JobStatus::kFailed) continue;
    const bool named = std::any_of(a.verdict.failed_jobs.begin(), a.verdict.failed_jobs.end(),
                                   [&](const gate::FailedJob& f) { return f.name == j.name; });
    if (named) failed.push_back(j);
  }
  const gate::RunContext context = gate::ContextForFile(loaded.file, &loaded.plan, ws.logs_dir());
  return gate::DiagnoseRunJobs(store, a.run, failed, context, kGateLogLines);
}

int RunGate(const GateArgs& args, const GlobalOptions& global) {
  LoadedPipeline loaded;
  int code = LoadPipeline(args.file, &loaded);
  if (code != kExitOk || !loaded.ok()) {
    PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
    return code != kExitOk ? code : kExitInvalid;
  }
  gate::GateOptions opt;
  opt.base_ref = args.base;
  opt.head_ref = args.head;
  opt.now_ms = NowMs();
  if (!args.run.empty()) {
    opt.run = ParseRunId(args.run);
    if (!opt.run) {
      fmt::print(stderr, "gauntlet: --run: '{}' is not a run id\n", args.run);
      return kExitInvalid;
    }
  }
  Workspace ws = WorkspaceForFile(loaded.file, args.state_dir);
  opt.repo_path = ws.root;
  opt.state_dir = ws.state_dir;
  auto st = OpenStore(ws);
  if (!st.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", st.error().message);
    return kExitInternal;
  }
  gate::AssessFailure failure;
  auto a = gate::Assess(**st, loaded.load->pipeline, opt, &failure);
  if (!a.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", a.error().message);
    return failure == gate::AssessFailure::kNotFound  ? kExitNotFound
           : failure == gate::AssessFailure::kInvalid ? kExitInvalid
                                                      : kExitInternal;
  }
  Diagnoses diagnoses;
  if (a->verdict.decision == gate::Decision::kReject) {
    auto d = DiagnoseFailedJobs(**st, *a, loaded, ws);
    if (!d.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", d.error().message);
      return kExitInternal;
    }
    diagnoses = std::move(d).value();
  }
  if (global.json) {
    fmt::print("{}\n", AssessmentJson(*a, diagnoses).dump(2));
  } else {
    PrintHuman(*a, diagnoses, global.color);
  }
  return gate::ExitCodeFor(a->verdict.decision);
}

}  // namespace

void RegisterGate(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<GateArgs>();
  CLI::App* cmd = app.add_subcommand("gate", "Decide whether a change may merge on its own");
  cmd->footer(
      "Judges the change between --base and --head (default: HEAD against its merge-base\n"
      "with the default branch, or HEAD's last commit on the default branch) using the run\n"
      "of the head commit (default: its newest run; --run to choose): required jobs\n"
      "(gates.required, default every job; a job skipped by a change filter passes), tests\n"
      "and coverage (gates.coverage.min_line, new_code_line) from the jobs' reports, the\n"
      "risk of the files touched (gates.risk), the trust level its authors earned in the\n"
      "history (gates.trust), and the failed runs already made on it\n"
      "(gates.max_fix_attempts). A revert commit in the change records an incident\n"
      "against the commit it reverts. A reject attaches the diagnosis of each failed job,\n"
      "as `gauntlet diagnose` makes it: its category, its first diagnostics (file:line:col)\n"
      "and a fix suggestion; --json has all of them under failed_jobs. See docs/gates.md.\n"
      "Exit codes: 0 auto-merge, 10 needs-approval, 11 reject; 2 usage error or invalid\n"
      "pipeline or unknown revision, 3 no pipeline file or no run of the head commit,\n"
      "4 internal error.\n");
  cmd->add_option("FILE", args->file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_option("--base", args->base, "The revision the change is compared against");
  cmd->add_option("--head", args->head, "The change's last commit (default: HEAD)");
  cmd->add_option("--run", args->run, "The run to judge (default: the head commit's newest run)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to use");
  cmd->add_flag("--json", global.json, "Every check with its value and threshold, as JSON");
  *run = [args, &global]() { return RunGate(*args, global); };
}

}  // namespace gauntlet::cli
