// `gauntlet retry [RUN]`: a new run of RUN's pipeline running only what did not succeed.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/execute.h"
#include "cli/pipeline_arg.h"
#include "engine/selection.h"

namespace gauntlet::cli {
namespace {

struct RetryFlags {
  int64_t run = 0;
  ExecFlags exec;
};

int RetryCommand(const RetryFlags& flags, const GlobalOptions& global) {
  auto found = engine::FindWorkspace(flags.exec.state_dir, CurrentDir());
  if (!found.ok()) return Fail(found.error());
  auto retry = engine::PrepareRetry(found->store_url(), flags.run, flags.exec.jobs,
                                    flags.exec.keep_going);
  if (!retry.ok()) return Fail(retry.error());
  if (!retry->loaded.ok()) return ReportLoadFailure(retry->loaded, global, "");
  const store::RunId id = retry->original.id;
  if (retry->to_run == 0) {
    if (!global.json) fmt::print("run {} has nothing to retry: every job succeeded\n", id);
    else fmt::print("{{\"run\": {}, \"retried\": 0}}\n", id);
    return kExitOk;
  }
  if (!global.json)
    fmt::print("retrying run {}: {} job(s) to run, {} taken from it\n", id, retry->to_run,
               retry->options.previous.size());
  engine::Workspace ws = engine::WorkspaceForFile(retry->loaded.file, found->state_dir);
  return ExecuteRun(retry->loaded, ws, std::move(retry->options), std::move(retry->store),
                    flags.exec, global);
}

}  // namespace

void RegisterRetry(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<RetryFlags>();
  CLI::App* cmd = app.add_subcommand("retry", "Re-run the failed jobs of a run");
  cmd->footer(
      "Starts a new run of the same pipeline file that runs only the jobs that did not\n"
      "succeed in RUN (default: the latest run) and everything that depends on them; the\n"
      "other jobs are taken from RUN, with their outputs, artifacts and reports (JUnit,\n"
      "coverage: the new run's test and coverage figures count them, and so does\n"
      "`gauntlet gate`). Exit codes as for `run`.\n");
  cmd->add_option("RUN", flags->run, "Run id (default: the latest run)");
  AddExecFlags(cmd, &flags->exec, global, "found upward");
  *run = [flags, &global]() -> int { return RetryCommand(*flags, global); };
}

}  // namespace gauntlet::cli
