// `gauntlet diagnose [RUN] [--job NAME]`: why the failed jobs of a run failed,
// as diagnostics (file:line:col, category, rule), failed tests, a fix suggestion
// and the end of each log; also as JSON, SARIF 2.1.0 or reviewdog's rdjson.
#include <fmt/core.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/diagnosis_view.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "gate/rdjson.h"
#include "gate/run_diagnosis.h"
#include "gate/sarif.h"

namespace gauntlet::cli {
namespace {

struct DiagnoseArgs {
  std::string run, job, state_dir;
  bool sarif = false, rdjson = false;
  int lines = 20;
};

// The pipeline file of the run, read again for the jobs' `diagnostics:` and
// `language:` (the run stores its results, not its configuration).
struct PipelineContext {
  LoadedPipeline loaded;
  gate::RunContext run;
  std::vector<std::string> warnings;
};

std::unique_ptr<PipelineContext> LoadContext(const store::RunRecord& run,
                                             const std::string& logs_dir) {
  auto c = std::make_unique<PipelineContext>();
  LoadPipeline(run.file, &c->loaded);
  const bool ok = c->loaded.ok();
  if (!ok) {
    std::string why = c->loaded.problems.all().empty() ? std::string("invalid")
                                                       : c->loaded.problems.all().front().message;
    c->warnings.push_back(fmt::format(
        "cannot read the pipeline file {} ({}): logs are not parsed, only test reports are shown",
        run.file, why));
  }
  c->run = gate::ContextForFile(run.file, ok ? &c->loaded.plan : nullptr, logs_dir);
  return c;
}

void PrintHuman(const store::RunRecord& run, const std::vector<gate::DiagnosedJob>& failed,
                const std::vector<std::string>& warnings) {
  fmt::print("run {}  {}  {}{}\n", run.id, run.pipeline, ShownStatus(run),
             run.reason.empty() ? "" : " (" + run.reason + ")");
  for (const std::string& w : warnings) fmt::print("warning: {}\n", w);
  for (const gate::DiagnosedJob& d : failed) {
    fmt::print("\njob {}: failed, {}, {} attempt{}, category {}\n", d.job.name, ExitOf(d),
               d.job.attempts, d.job.attempts == 1 ? "" : "s",
               d.diagnosis.category ? gate::CategoryName(*d.diagnosis.category) : "unknown");
    // "exit code 1" says again what the header says.
    if (!d.job.reason.empty() && !d.job.reason.starts_with("exit code"))
      fmt::print("  reason: {}\n", d.job.reason);
    if (d.tests)
      fmt::print("  tests: {} failed, {} passed, {} skipped of {}\n",
                 d.tests->failures + d.tests->errors, d.tests->passed(), d.tests->skipped,
                 d.tests->tests);
    // A compile error can cascade into hundreds: the first ones are what to fix.
    constexpr size_t kShown = 20;
    const auto& list = d.diagnosis.diagnostics;
    for (size_t i = 0; i < list.size() && i < kShown; ++i)
      fmt::print("  {}\n", DiagnosticLine(list[i]));
    if (list.size() > kShown)
      fmt::print("  ... and {} more (--json lists them all)\n", list.size() - kShown);
    if (d.diagnosis.diagnostics.empty()) {
      fmt::print("  no diagnostics found{}\n",
                 d.parsers.empty() ? " (no parser: set `diagnostics:` or `language:` on the job)"
                                   : " by " + fmt::format("{}", fmt::join(d.parsers, ", ")));
    }
    for (const std::string& w : d.diagnosis.warnings) fmt::print("  warning: {}\n", w);
    for (const std::string& w : d.report_warnings) fmt::print("  warning: {}\n", w);
    if (!d.diagnosis.suggestion.empty()) fmt::print("  suggestion: {}\n", d.diagnosis.suggestion);
    if (!d.diagnosis.log_tail.empty()) {
      fmt::print("  end of the log:\n");
      std::string_view tail = d.diagnosis.log_tail;
      for (size_t start = 0; start < tail.size();) {
        size_t nl = tail.find('\n', start);
        if (nl == std::string_view::npos) nl = tail.size();
        fmt::print("  | {}\n", tail.substr(start, nl - start));
        start = nl + 1;
      }
    }
  }
}

int RunDiagnose(const DiagnoseArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto opened = OpenRunWithJobs(args.state_dir, args.run, &code);
  if (!opened) return code;
  History* h = &opened->history;
  const store::RunRecord* run = &opened->run;
  const std::vector<store::JobRecord>* jobs = &opened->jobs;

  std::vector<const store::JobRecord*> selected;
  for (const auto& j : *jobs) {
    // A spec job name selects every matrix job expanded from it, as `logs` does.
    if (args.job.empty() || j.name == args.job || j.name.starts_with(args.job + " ("))
      selected.push_back(&j);
  }
  if (!args.job.empty() && selected.empty()) {
    std::string known;
    for (const auto& j : *jobs) known += (known.empty() ? "" : ", ") + j.name;
    fmt::print(stderr, "gauntlet: run {} has no job '{}' (jobs: {})\n", run->id, args.job,
               known.empty() ? "none" : known);
    return kExitNotFound;
  }

  std::vector<store::JobRecord> failed;
  for (const auto* j : selected) {
    if (j->status == store::JobStatus::kFailed) failed.push_back(*j);
  }
  std::vector<gate::DiagnosedJob> diagnosed;
  std::vector<std::string> warnings;
  if (!failed.empty()) {
    auto context = LoadContext(*run, h->ws.logs_dir());
    warnings = context->warnings;
    auto d = gate::DiagnoseRunJobs(*h->store, *run, failed, context->run, args.lines);
    if (!d.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", d.error().message);
      return kExitInternal;
    }
    diagnosed = std::move(d).value();
  }
  const int exit_code = diagnosed.empty() ? kExitOk : kExitFailed;

  std::vector<gate::Diagnostic> all;
  for (const gate::DiagnosedJob& d : diagnosed)
    all.insert(all.end(), d.diagnosis.diagnostics.begin(), d.diagnosis.diagnostics.end());
  if (args.sarif) {
    fmt::print("{}\n", gate::ToSarif(all).dump(2));
    return exit_code;
  }
  if (args.rdjson) {
    fmt::print("{}\n", gate::ToRdjson(all).dump(2));
    return exit_code;
  }
  if (global.json) {
    nlohmann::json out = {{"run", run->id},
                          {"pipeline", run->pipeline},
                          {"status", ShownStatus(*run)},
                          {"reason", run->reason},
                          {"commit", run->git_commit},
                          {"branch", run->git_branch},
                          {"failed", diagnosed.size()},
                          {"warnings", warnings}};
    nlohmann::json list = nlohmann::json::array();
    for (const gate::DiagnosedJob& d : diagnosed) list.push_back(DiagnosedJobJson(d));
    out["jobs"] = list;
    fmt::print("{}\n", out.dump(2));
    return exit_code;
  }
  if (diagnosed.empty()) {
    std::string what =
        args.job.empty() ? "no job failed" : "no job named '" + args.job + "' failed";
    // A run its change filter skipped: say so, or "no job failed" reads like a green run.
    if (run->status == store::RunStatus::kSkipped && !run->reason.empty())
      what += " (the run was skipped: " + run->reason + ")";
    fmt::print("run {}  {}  {}: {}\n", run->id, run->pipeline, ShownStatus(*run), what);
    return exit_code;
  }
  PrintHuman(*run, diagnosed, warnings);
  return exit_code;
}

}  // namespace

void RegisterDiagnose(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<DiagnoseArgs>();
  CLI::App* cmd = app.add_subcommand("diagnose", "Explain why the failed jobs of a run failed");
  cmd->footer(
      "For each failed job of a run (RUN: a run id; default: the latest run): its category\n"
      "(build, type, test, lint, security, other), the diagnostics its `diagnostics:`\n"
      "parsers (without them: those of the tools its commands run, else its language's\n"
      "default) find in its log as file:line:col: message [rule], the failed tests of its\n"
      "JUnit report, how its last attempt ended and how many attempts it took, a one-line\n"
      "fix suggestion, and the last --lines lines of its log (secrets already masked).\n"
      "Paths are relative to the repository root and name files that exist (a tool run in\n"
      "another directory is placed by the one tracked file ending in its path); one found\n"
      "nowhere is marked (file not found). The parsers come from the pipeline file as it\n"
      "is now. --json: every field; --sarif: a SARIF\n"
      "2.1.0 log; --rdjson: reviewdog's rdjson (reviewdog -f=rdjson).\n"
      "Exit codes: 0 no job failed, 1 a job failed (diagnosed), 2 usage error, 3 no such\n"
      "run or job or no history, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("--job", args->job, "Only this job (or every matrix job of a spec job)");
  cmd->add_option("--lines", args->lines, "Lines of each failed job's log to show (default 20)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  auto* json = cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  auto* sarif = cmd->add_flag("--sarif", args->sarif, "SARIF 2.1.0 on stdout");
  auto* rdjson = cmd->add_flag("--rdjson", args->rdjson, "reviewdog rdjson on stdout");
  json->excludes(sarif)->excludes(rdjson);
  sarif->excludes(rdjson);
  *run = [args, &global]() { return RunDiagnose(*args, global); };
}

}  // namespace gauntlet::cli
