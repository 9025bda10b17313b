// `gauntlet gate`: the verdict on a change (auto-merge, needs-approval, reject) from
// its run, coverage, risk, its author's trust and the fix attempts so far.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/diagnosis_text.h"
#include "engine/diagnosis.h"
#include "engine/views_gate.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "store/open.h"
#include "core/clock.h"
#include "gate/assess.h"
#include "gate/diagnostic.h"
#include "gate/run_diagnosis.h"

namespace gauntlet::cli {
namespace {

using nlohmann::json;

struct GateArgs {
  std::string file, base, head, run, state_dir;
};

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
  opt.now_ms = RealClock().UnixMs();
  if (!args.run.empty()) {
    opt.run = ParseRunId(args.run);
    if (!opt.run) {
      fmt::print(stderr, "gauntlet: --run: '{}' is not a run id\n", args.run);
      return kExitInvalid;
    }
  }
  engine::Workspace ws = engine::WorkspaceForFile(loaded.file, args.state_dir);
  opt.repo_path = ws.root;
  opt.state_dir = ws.state_dir;
  auto st = store::OpenStore(ws.store_url());
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
  auto diagnoses = engine::DiagnoseVerdict(**st, *a, loaded, ws.logs_dir());
  if (!diagnoses.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", diagnoses.error().message);
    return kExitInternal;
  }
  if (global.json) {
    fmt::print("{}\n", engine::VerdictJson(*a, *diagnoses).dump(2));
  } else {
    PrintVerdict(*a, *diagnoses, global.color);
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
