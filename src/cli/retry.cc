// `gauntlet retry [RUN]`: a new run of RUN's pipeline running only what did not succeed.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/execute.h"
#include "cli/pipeline_arg.h"
#include "cli/server_client.h"
#include "engine/selection.h"

namespace gauntlet::cli {
namespace {

struct RetryFlags {
  int64_t run = 0;
  ExecFlags exec;
  ServerFlags server;
};

// POST /api/v1/runs/ID/retry (RUN, else the repository's newest run): the server queues
// the retry; its item is followed with long polls until it ends, and the new run's status
// decides the exit code (as for `run`).
int RetryOnServer(const RetryFlags& flags, const GlobalOptions& global) {
  const std::string repo = flags.server.repo.empty() ? "" : "repo=" + QueryValue(flags.server.repo);
  int64_t id = flags.run;
  if (id == 0) {
    auto list = GetFromServer(flags.server, "/api/v1/runs?limit=1" + (repo.empty() ? "" : "&" + repo));
    if (!list.ok()) return Fail(list.error());
    if (list->status != 200) return ServerRefused(*list);
    const nlohmann::json runs = list->body.value("runs", nlohmann::json::array());
    if (runs.empty()) return Fail(Error::NotFound("no runs recorded on the server"));
    id = runs[0].value("id", int64_t{0});
  }
  const std::string query = repo.empty() ? "" : "?" + repo;
  auto asked = AskServer(flags.server, "POST", "/api/v1/runs/" + std::to_string(id) + "/retry" + query);
  if (!asked.ok()) return Fail(asked.error());
  if (asked->status != 202) return ServerRefused(*asked);
  const int64_t queued = asked->body.value("queued", int64_t{0});
  if (!global.json) {
    fmt::print("retrying run {} on the server: queue {}\n", id, queued);
    fflush(stdout);
  }
  int64_t said = 0;
  while (true) {
    auto item = GetFromServer(flags.server, "/api/v1/queue/" + std::to_string(queued) + "?wait=20");
    if (!item.ok()) return Fail(item.error());
    if (item->status != 200) return ServerRefused(*item);
    const std::string state = item->body.value("state", "");
    const int64_t run = item->body.value("run_id", int64_t{0});
    if (run != 0 && run != said && !global.json) {
      fmt::print("run {} started\n", run);
      fflush(stdout);
      said = run;
    }
    if (state == "queued" || state == "running") continue;
    const std::string reason = item->body.value("reason", "");
    if (run == 0 || state != "done")
      return Fail(Error{fmt::format("queue {} ended {}{}", queued, state,
                                    reason.empty() ? "" : ": " + reason)});
    auto detail = GetFromServer(flags.server, "/api/v1/runs/" + std::to_string(run) + query);
    if (!detail.ok()) return Fail(detail.error());
    if (detail->status != 200) return ServerRefused(*detail);
    detail->body.erase("repo");
    if (global.json) {
      fmt::print("{}\n", detail->body.dump(2));
    } else {
      fmt::print("run {}: {}\n", run, detail->body.value("status", reason));
    }
    return detail->body.value("status", "") == "success" ? kExitOk : kExitFailed;
  }
}

int RetryCommand(const RetryFlags& flags, const GlobalOptions& global) {
  if (!flags.server.Url().empty()) return RetryOnServer(flags, global);
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
      "`gauntlet gate`). Exit codes as for `run`.\n"
      "--server URL (or $GAUNTLET_SERVER): the server retries a run of a repository it\n"
      "watches (--repo NAME), with a token of scope trigger (--token-file, or\n"
      "$GAUNTLET_TOKEN): the retry is queued, followed until it ends (\"run N started\",\n"
      "\"run N: STATUS\"; --json: the new run as `status --json` shows it), and exits 0 only\n"
      "when it succeeded; a refusal (a run that succeeded or still runs: 409) exits 1, a\n"
      "server that cannot be reached 4. The local execution flags do not apply.\n");
  cmd->add_option("RUN", flags->run, "Run id (default: the latest run)");
  AddExecFlags(cmd, &flags->exec, global, "found upward");
  AddServerFlags(cmd, &flags->server);
  *run = [flags, &global]() -> int { return RetryCommand(*flags, global); };
}

}  // namespace gauntlet::cli
