// `gauntlet cancel [RUN]`: stops a running run. The engine owns its run: when it
// is alive (on this host) it gets SIGTERM, cancels its jobs' process groups and
// records 'cancelled' itself; this command only waits for it to exit. Only when
// the engine is gone does this command write the run's end into the store.
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "exec/leftovers.h"
#include "store/engine_lock.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct CancelArgs {
  std::string run, state_dir;
  int timeout_s = 30;
};

// Records the end of a run whose engine is gone: the run and its unfinished jobs
// become 'cancelled', in one batch, after what its jobs left running is killed (their
// processes outlived the engine: exec/leftovers.h).
Status MarkCancelled(store::Store& s, const std::string& state_dir, store::RunRecord run,
                     const std::string& reason) {
  auto killed = exec::KillTagged({store::StateDirKey(state_dir) + "/" + std::to_string(run.id)},
                                 std::chrono::seconds(10));
  if (!killed.ok()) return killed.error();
  auto jobs = s.GetJobs(run.id);
  if (!jobs.ok()) return jobs.error();
  int64_t now = NowMs();
  store::Batch batch(s);
  if (!batch.status().ok()) return batch.status();
  for (const auto& j : *jobs) {
    if (j.status != store::JobStatus::kPending && j.status != store::JobStatus::kRunning) continue;
    Status st = s.JobFinished(run.id, j.index, j.name, store::JobStatus::kCancelled, now, j.outputs,
                              "cancelled");
    if (!st.ok()) return st;
  }
  run.status = store::RunStatus::kCancelled;
  run.reason = reason;
  run.finished_ms = now;
  if (Status st = s.UpdateRun(run); !st.ok()) return st;
  return batch.Commit();
}

// A pidfd for the engine: signalling and waiting through it cannot hit another
// process that reused the pid. -1 with errno ESRCH when the engine is gone.
int OpenPidfd(int64_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
}

int RunCancel(const CancelArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  store::Store& s = *h->store;

  std::optional<store::RunRecord> run;
  if (args.run.empty()) {
    store::RunFilter f;
    f.limit = 1;
    f.status = store::RunStatus::kRunning;
    auto r = s.ListRuns(f);
    if (!r.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", r.error().message);
      return kExitInternal;
    }
    if (r->empty()) {
      fmt::print(stderr, "gauntlet: no running run to cancel\n");
      return kExitNotFound;
    }
    run = std::move(r->front());
  } else {
    run = ResolveRun(s, args.run, &code);
    if (!run) return code;
  }

  auto report = [&](const store::RunRecord& r, std::string_view action) {
    if (global.json) {
      nlohmann::json out = RunJson(r, NowMs());
      out["action"] = action;
      fmt::print("{}\n", out.dump(2));
    } else {
      fmt::print("run {}: {}{}{}\n", r.id, ShownStatus(r), r.reason.empty() ? "" : " - ", r.reason);
    }
  };
  auto fail = [&](const std::string& message) {
    fmt::print(stderr, "gauntlet: {}\n", message);
    return kExitFailed;
  };

  if (run->status == store::RunStatus::kInterrupted) {
    // Recorded as interrupted (its engine died): cancelling gives up resuming it.
    if (Status st = MarkCancelled(s, h->ws.state_dir, *run, "cancelled after the engine died");
        !st.ok())
      return fail("cannot record the cancellation: " + st.error().message);
    auto after = s.GetRun(run->id);
    if (!after.ok() || !after->has_value()) return fail("the run vanished from the store");
    report(**after, "marked");
    return kExitOk;
  }
  if (run->status != store::RunStatus::kRunning) {
    if (run->status == store::RunStatus::kCancelled) {
      report(*run, "none");
      return kExitOk;
    }
    return fail(fmt::format("run {} is not running (it is {})", run->id, ShownStatus(*run)));
  }
  if (run->engine_host != store::HostName()) {
    return fail(
        fmt::format("run {} is driven by an engine on host '{}' (pid {}): cancel it from that host",
                    run->id, run->engine_host, run->engine_pid));
  }

  auto mark = [&](const std::string& reason) -> int {
    // Re-read: the engine may have recorded the end after all.
    auto fresh = s.GetRun(run->id);
    if (!fresh.ok() || !fresh->has_value()) return fail("the run vanished from the store");
    if ((*fresh)->status != store::RunStatus::kRunning) {
      report(**fresh, "signalled");
      return kExitOk;
    }
    if (Status st = MarkCancelled(s, h->ws.state_dir, **fresh, reason); !st.ok())
      return fail("cannot record the cancellation: " + st.error().message);
    auto after = s.GetRun(run->id);
    if (!after.ok() || !after->has_value()) return fail("the run vanished from the store");
    report(**after, "marked");
    return kExitOk;
  };

  int pidfd = store::ProcessAlive(run->engine_pid) ? OpenPidfd(run->engine_pid) : -1;
  if (pidfd < 0) {
    if (store::ProcessAlive(run->engine_pid) && errno != ESRCH)
      return fail(fmt::format("cannot watch engine pid {}: {}", run->engine_pid, strerror(errno)));
    return mark("cancelled after the engine died");
  }
  if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, nullptr, 0) != 0) {
    int err = errno;
    close(pidfd);
    if (err == ESRCH) return mark("cancelled after the engine died");
    return fail(fmt::format("cannot signal engine pid {}: {}", run->engine_pid, strerror(err)));
  }
  if (!global.json)
    fmt::print(stderr, "gauntlet: sent SIGTERM to engine pid {}; waiting for it to stop\n",
               run->engine_pid);

  // Wait for the engine to exit (the pidfd becomes readable): it records the end
  // after killing its jobs' process groups, and returning only once it is gone
  // means no job process of the run is left behind.
  const int64_t deadline = NowMs() + int64_t{args.timeout_s} * 1000;
  bool exited = false;
  for (int64_t left; !exited && (left = deadline - NowMs()) > 0;) {
    pollfd p{pidfd, POLLIN, 0};
    exited = poll(&p, 1, static_cast<int>(left)) > 0;
  }
  close(pidfd);
  if (!exited) {
    auto now = s.GetRun(run->id);
    if (now.ok() && now->has_value() && (*now)->status != store::RunStatus::kRunning) {
      // Recorded, but the engine is slow to exit: the cancellation itself is done.
      fmt::print(stderr, "gauntlet: engine pid {} recorded the end but has not exited yet\n",
                 run->engine_pid);
      report(**now, "signalled");
      return kExitOk;
    }
    return fail(fmt::format("engine pid {} did not stop within {}s; the run is still running",
                            run->engine_pid, args.timeout_s));
  }
  // The engine exited: it normally recorded 'cancelled' before. If it did not
  // (killed, or not a gauntlet engine), record it here.
  return mark("cancelled: the engine exited without recording the end of the run");
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
