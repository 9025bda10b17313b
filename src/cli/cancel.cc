// `gauntlet cancel [RUN]`: stops a running run through engine::CancelRun (the engine
// driving it is signalled and waited for; a run whose engine is gone is marked here).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/server_client.h"
#include "core/clock.h"
#include "engine/cancel.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct CancelArgs {
  std::string run, state_dir;
  int timeout_s = 30;
  ServerFlags server;
};

// The run RUN names, else the latest running one.
std::optional<store::RunRecord> Target(store::Store& s, const std::string& arg, int* code) {
  if (!arg.empty()) return ResolveRun(s, arg, code);
  store::RunFilter f;
  f.limit = 1;
  f.status = store::RunStatus::kRunning;
  auto r = s.ListRuns(f);
  if (!r.ok()) {
    *code = Fail(r.error());
    return std::nullopt;
  }
  if (r->empty()) {
    *code = Fail(Error::NotFound("no running run to cancel"));
    return std::nullopt;
  }
  return std::move(r->front());
}

// The run as `cancel` reports it (`status --json`'s view without what only the detail has).
nlohmann::json RunOnly(nlohmann::json detail) {
  for (const char* key : {"repo", "metrics", "tests", "coverage", "jobs"}) detail.erase(key);
  return detail;
}

void PrintCancelled(const nlohmann::json& run, const std::string& action, bool json) {
  if (json) {
    nlohmann::json out = run;
    out["action"] = action;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  const std::string reason = run.value("reason", "");
  fmt::print("run {}: {}{}{}\n", run.value("id", int64_t{0}), run.value("status", ""),
             reason.empty() ? "" : " - ", reason);
}

// POST /api/v1/runs/ID/cancel (RUN, else the repository's newest running run). A run the
// server drives is cancelled asynchronously (202): its end is awaited on its log's event
// stream (which ends when the run does), then the run is read back.
int CancelOnServer(const CancelArgs& args, const GlobalOptions& global) {
  const std::string repo = args.server.repo.empty() ? "" : "repo=" + QueryValue(args.server.repo);
  std::string id = args.run;
  if (id.empty()) {
    auto list = GetFromServer(args.server, "/api/v1/runs?status=running&limit=1" +
                                               (repo.empty() ? "" : "&" + repo));
    if (!list.ok()) return Fail(list.error());
    if (list->status != 200) return ServerRefused(*list);
    const nlohmann::json runs = list->body.value("runs", nlohmann::json::array());
    if (runs.empty()) return Fail(Error::NotFound("no running run to cancel on the server"));
    id = std::to_string(runs[0].value("id", int64_t{0}));
  } else if (!ParseRunId(id)) {
    return Fail(Error::Invalid("RUN must be a run id, got '" + id + "'"));
  }
  const std::string query = repo.empty() ? "" : "?" + repo;
  auto asked = AskServer(args.server, "POST", "/api/v1/runs/" + id + "/cancel" + query);
  if (!asked.ok()) return Fail(asked.error());
  if (asked->status != 200 && asked->status != 202) return ServerRefused(*asked);
  if (asked->status == 202) {
    ServerAnswer refused;
    Status ended = FollowServerEvents(
        args.server, "/api/v1/runs/" + id + "/log?follow=1&format=json" + (repo.empty() ? "" : "&" + repo),
        [](const std::string& type, const nlohmann::json&) { return type != "end" && type != "error"; },
        &refused);
    if (!ended.ok()) return refused.status ? ServerRefused(refused) : Fail(ended.error());
  }
  auto run = GetFromServer(args.server, "/api/v1/runs/" + id + query);
  if (!run.ok()) return Fail(run.error());
  if (run->status != 200) return ServerRefused(*run);
  PrintCancelled(RunOnly(run->body), asked->body.value("action", "cancelling"), global.json);
  return kExitOk;
}

int RunCancel(const CancelArgs& args, const GlobalOptions& global) {
  if (!args.server.Url().empty()) return CancelOnServer(args, global);
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto run = Target(*h->store, args.run, &code);
  if (!run) return code;
  auto note = [&global](const std::string& line) {
    if (!global.json) fmt::print(stderr, "gauntlet: {}\n", line);
  };
  auto done = engine::CancelRun(*h->store, h->ws.state_dir, *run,
                                std::chrono::seconds(args.timeout_s), RealClock(), note);
  if (!done.ok()) return Fail(done.error());
  PrintCancelled(engine::RunJson(done->run, RealClock().UnixMs()), done->action, global.json);
  return kExitOk;
}

}  // namespace

void RegisterCancel(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<CancelArgs>();
  CLI::App* cmd = app.add_subcommand("cancel", "Cancel a running run");
  cmd->footer(
      "Cancels a run (RUN: a run id; default: the latest running run). If its engine is\n"
      "alive on this host it receives SIGTERM, kills its jobs' process groups and records\n"
      "the run as cancelled; cancel waits for the engine to exit (up to --timeout seconds).\n"
      "An engine that exits without recording the end, or that was already dead, gets its\n"
      "run and unfinished jobs marked cancelled here, after the processes its jobs left\n"
      "running are killed. A run driven from another host is refused. Cancelling an\n"
      "already cancelled run succeeds and changes nothing.\n"
      "Exit codes: 0 cancelled, 1 could not cancel (not running, other host, the engine did\n"
      "not stop in time), 2 usage error, 3 no such run or no running run, 4 internal error.\n"
      "--server URL (or $GAUNTLET_SERVER): the run of a repository a gauntlet serve watches\n"
      "(--repo NAME) is cancelled by the server, with a token of scope trigger (--token-file,\n"
      "or $GAUNTLET_TOKEN); cancel waits for its end and prints it as here (1 also when the\n"
      "server refuses, 4 when it cannot be reached; docs/server.md).\n");
  cmd->add_option("RUN", args->run, "Run id (default: the latest running run)");
  cmd->add_option("--timeout", args->timeout_s, "Seconds to wait for the engine (default 30)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunCancel(*args, global); };
}

}  // namespace gauntlet::cli
