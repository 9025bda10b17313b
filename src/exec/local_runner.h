// The local executor: posix_spawn + one epoll loop for every child of a run.
//
// Each child gets its own process group, stdin from /dev/null, and stdout+stderr on one
// non-blocking pipe. Exits are seen through pidfd_open (Linux >= 5.3) or, where that
// fails, signalfd(SIGCHLD); the child is left a zombie until its whole group has been
// SIGKILLed, so the group id cannot be reused by the time we signal it, and no
// background process of a finished job survives it. wait4 then gives the rusage.
// With `keep_background` the group is left alone when the main process exits: it stays an
// unreaped zombie (keeping the group id reserved) until the output closes, the timeout
// stops the group, or Cancel does.
// Timeouts: SIGTERM to the group, SIGKILL after `kill_grace`; at a timeout or Cancel the
// processes that left the group (setsid, double fork) but carry the attempt's
// GAUNTLET_TAG get the same signals (exec/leftovers.h).
// Not thread-safe, except Wake().
#pragma once

#include <signal.h>
#include <spawn.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/process_runner.h"

namespace gauntlet::exec {

struct LocalRunnerOptions {
  Duration kill_grace{std::chrono::seconds(5)};
  // Block SIGINT/SIGTERM on the calling thread and report them as OnCancelSignal.
  bool catch_cancel_signals = false;
  Clock* clock = nullptr;  // null: SystemClock()
};

class LocalRunner : public ProcessRunner {
 public:
  // Opens the epoll instance and friends; fails on exhausted fds and the like.
  static Result<std::unique_ptr<LocalRunner>> Create(const LocalRunnerOptions& options);
  ~LocalRunner() override;

  Result<ProcId> Start(const SpawnRequest& request) override;
  void Cancel(ProcId id) override;
  Status Poll(TimePoint deadline, Delegate* delegate) override;
  void Wake() override;
  int running() const override { return running_; }
  Clock* clock() override { return clock_; }

  // Exposed for tests: the process group of a running child.
  int pgid(ProcId id) const;

 private:
  struct Proc;
  explicit LocalRunner(const LocalRunnerOptions& options);
  Status Init();
  // `what` names the program in the error ("shell", "program").
  Result<std::string> ResolveProgram(std::string_view program, const char* what);
  void ReadOutput(ProcId id, Delegate* delegate);
  void ChildExited(ProcId id, Delegate* delegate);
  void Reap(ProcId id);
  void MaybeFinish(ProcId id, Delegate* delegate);
  void CheckSigchld(Delegate* delegate);
  void CheckTimers(Delegate* delegate);
  // `signal` to the process group and to the attempt's processes that left it.
  void Stop(Proc& p, int signal);
  void CloseWatched(int& fd);

  LocalRunnerOptions options_;
  Clock* clock_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;     // eventfd
  int signal_fd_ = -1;   // SIGINT/SIGTERM, when caught
  int sigchld_fd_ = -1;  // fallback when pidfd_open is unavailable
  int devnull_fd_ = -1;
  bool use_pidfd_ = true;
  bool restore_mask_ = false;
  sigset_t old_mask_{};
  std::vector<Proc> procs_;
  std::vector<ProcId> free_;
  int running_ = 0;
  std::unordered_map<std::string, std::string> program_paths_;
  // The spawn attributes are the same for every child: built once in Init. The file
  // actions of a child without a working directory depend only on the fd number of its
  // pipe's write end, and glibc checks the fd limit (two getrlimit calls) in every
  // adddup2: built once per fd number and kept.
  posix_spawnattr_t attr_{};
  bool attr_ready_ = false;
  std::unordered_map<int, posix_spawn_file_actions_t> actions_by_fd_;
  std::vector<char> buf_;
};

}  // namespace gauntlet::exec
