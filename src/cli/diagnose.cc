// `gauntlet diagnose [RUN] [--job NAME]`: why the failed jobs of a run failed,
// as diagnostics (file:line:col, category, rule), failed tests, a fix suggestion
// and the end of each log; also as JSON, SARIF 2.1.0 or reviewdog's rdjson.
#include <fmt/core.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/diagnosis_text.h"
#include "engine/diagnosis.h"
#include "engine/views_gate.h"
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

int RunDiagnose(const DiagnoseArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto opened = OpenRunWithJobs(args.state_dir, args.run, &code);
  if (!opened) return code;
  History* h = &opened->history;
  const store::RunRecord* run = &opened->run;
  const std::vector<store::JobRecord>* jobs = &opened->jobs;

  auto diagnosis = engine::DiagnoseRun(*h->store, *run, *jobs, args.job, h->ws.logs_dir(),
                                       args.lines);
  if (!diagnosis.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", diagnosis.error().message);
    return diagnosis.error().kind == ErrorKind::kNotFound ? kExitNotFound : kExitInternal;
  }
  const std::vector<gate::DiagnosedJob>& diagnosed = diagnosis->jobs;
  const std::vector<std::string>& warnings = diagnosis->warnings;
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
    fmt::print("{}\n", engine::RunDiagnosisJson(*run, *diagnosis).dump(2));
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
  PrintDiagnoses(*run, diagnosed, warnings);
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
