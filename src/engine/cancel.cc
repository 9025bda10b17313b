#include "engine/cancel.h"

#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/views_run.h"
#include "exec/leftovers.h"
#include "store/engine_lock.h"

namespace gauntlet::engine {
namespace {

// Records the end of a run whose engine is gone: the run and its unfinished jobs
// become 'cancelled', in one batch, after what its jobs left running is killed (their
// processes outlived the engine: exec/leftovers.h).
Status MarkCancelled(store::Store& s, const std::string& state_dir, store::RunRecord run,
                     const std::string& reason, Clock& clock) {
  auto killed = exec::KillTagged({store::StateDirKey(state_dir) + "/" + std::to_string(run.id)},
                                 std::chrono::seconds(10));
  if (!killed.ok()) return killed.error();
  auto jobs = s.GetJobs(run.id);
  if (!jobs.ok()) return jobs.error();
  int64_t now = clock.UnixMs();
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

// Records the end of `run` here and reads it back.
Result<CancelOutcome> Mark(store::Store& s, const std::string& state_dir,
                           const store::RunRecord& run, const std::string& reason, Clock& clock) {
  if (Status st = MarkCancelled(s, state_dir, run, reason, clock); !st.ok())
    return Error::Conflict("cannot record the cancellation: " + st.error().message);
  auto after = s.GetRun(run.id);
  if (!after.ok() || !after->has_value()) return Error::Conflict("the run vanished from the store");
  return CancelOutcome{**after, "marked"};
}

// The same for a running run, unless its engine recorded the end after all.
Result<CancelOutcome> MarkIfRunning(store::Store& s, const std::string& state_dir,
                                    store::RunId id, const std::string& reason, Clock& clock) {
  auto fresh = s.GetRun(id);
  if (!fresh.ok() || !fresh->has_value()) return Error::Conflict("the run vanished from the store");
  if ((*fresh)->status != store::RunStatus::kRunning) return CancelOutcome{**fresh, "signalled"};
  return Mark(s, state_dir, **fresh, reason, clock);
}

// Waits for the engine to exit (its pidfd becomes readable): it records the end after
// killing its jobs' process groups, so once it is gone no job process is left behind.
bool WaitForExit(int pidfd, Duration timeout, Clock& clock) {
  const int64_t deadline = clock.UnixMs() + timeout.count();
  for (int64_t left; (left = deadline - clock.UnixMs()) > 0;) {
    pollfd p{pidfd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) > 0) return true;
  }
  return false;
}

}  // namespace

Result<CancelOutcome> CancelRun(store::Store& s, const std::string& state_dir,
                                const store::RunRecord& run, Duration timeout, Clock& clock,
                                const std::function<void(const std::string&)>& note) {
  if (run.status == store::RunStatus::kInterrupted)  // cancelling gives up resuming it
    return Mark(s, state_dir, run, "cancelled after the engine died", clock);
  if (run.status == store::RunStatus::kCancelled) return CancelOutcome{run, "none"};
  if (run.status != store::RunStatus::kRunning)
    return Error::Conflict(
        fmt::format("run {} is not running (it is {})", run.id, ShownStatus(run)));
  if (run.engine_host != store::HostName())
    return Error::Conflict(fmt::format(
        "run {} is driven by an engine on host '{}' (pid {}): cancel it from that host", run.id,
        run.engine_host, run.engine_pid));
  int pidfd = store::ProcessAlive(run.engine_pid) ? OpenPidfd(run.engine_pid) : -1;
  if (pidfd < 0) {
    if (store::ProcessAlive(run.engine_pid) && errno != ESRCH)
      return Error::Conflict(
          fmt::format("cannot watch engine pid {}: {}", run.engine_pid, strerror(errno)));
    return MarkIfRunning(s, state_dir, run.id, "cancelled after the engine died", clock);
  }
  if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, nullptr, 0) != 0) {
    int err = errno;
    close(pidfd);
    if (err == ESRCH)
      return MarkIfRunning(s, state_dir, run.id, "cancelled after the engine died", clock);
    return Error::Conflict(
        fmt::format("cannot signal engine pid {}: {}", run.engine_pid, strerror(err)));
  }
  if (note)
    note(fmt::format("sent SIGTERM to engine pid {}; waiting for it to stop", run.engine_pid));
  const bool exited = WaitForExit(pidfd, timeout, clock);
  close(pidfd);
  if (!exited) {
    auto now = s.GetRun(run.id);
    if (now.ok() && now->has_value() && (*now)->status != store::RunStatus::kRunning) {
      // Recorded, but the engine is slow to exit: the cancellation itself is done.
      if (note)
        note(fmt::format("engine pid {} recorded the end but has not exited yet",
                         run.engine_pid));
      return CancelOutcome{**now, "signalled"};
    }
    return Error::Conflict(fmt::format("engine pid {} did not stop within {}s; the run is still "
                                       "running",
                                       run.engine_pid, timeout.count() / 1000));
  }
  // It normally recorded 'cancelled' before exiting; if not (killed, or not a gauntlet
  // engine), the end is recorded here.
  return MarkIfRunning(s, state_dir, run.id,
                       "cancelled: the engine exited without recording the end of the run", clock);
}

}  // namespace gauntlet::engine
