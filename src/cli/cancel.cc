// `gauntlet cancel [RUN]`: stops a running run through engine::CancelRun (the engine
// driving it is signalled and waited for; a run whose engine is gone is marked here).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "engine/cancel.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct CancelArgs {
  std::string run, state_dir;
  int timeout_s = 30;
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

int RunCancel(const CancelArgs& args, const GlobalOptions& global) {
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
  const store::RunRecord& r = done->run;
  if (global.json) {
    nlohmann::json out = engine::RunJson(r, RealClock().UnixMs());
    out["action"] = done->action;
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("run {}: {}{}{}\n", r.id, ShownStatus(r), r.reason.empty() ? "" : " - ", r.reason);
  }
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
      "not stop in time), 2 usage error, 3 no such run or no running run, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id (default: the latest running run)");
  cmd->add_option("--timeout", args->timeout_s, "Seconds to wait for the engine (default 30)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunCancel(*args, global); };
}

}  // namespace gauntlet::cli
