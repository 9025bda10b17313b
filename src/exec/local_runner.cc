#include "exec/local_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "exec/leftovers.h"

namespace gauntlet::exec {
namespace {

// epoll data: the proc slot in the high bits, what the fd is in the low two.
enum FdKind : uint64_t { kPipe = 0, kPidfd = 1, kSpecial = 2 };
constexpr uint64_t kWakeTag = (1ull << 62) | kSpecial;
constexpr uint64_t kSignalTag = (2ull << 62) | kSpecial;
constexpr uint64_t kSigchldTag = (3ull << 62) | kSpecial;

uint64_t Tag(ProcId id, FdKind kind) { return (static_cast<uint64_t>(id) << 2) | kind; }

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

Micros ToMicros(const timeval& tv) { return Micros(tv.tv_sec * 1000000LL + tv.tv_usec); }

extern "C" char** environ;

}  // namespace

ShellArgs ShellFor(std::string_view shell) {
  if (shell == "bash") return {"bash", {"-eo", "pipefail"}};
  if (shell == "sh") return {"/bin/sh", {"-e", ""}};
  return {shell, {"", ""}};
}

struct LocalRunner::Proc {
  pid_t pid = -1;  // also the process group id
  int pidfd = -1;
  int out_fd = -1;
  bool exited = false;  // main child reaped
  bool keep_background = false;
  bool leader_done = false;  // keep_background: the main child exited, not reaped yet
  bool term_sent = false;
  bool cancelled = false;
  bool in_use = false;
  TimePoint start{};
  TimePoint deadline = TimePoint::max();  // timeout
  TimePoint kill_at = TimePoint::max();   // SIGKILL after the grace period
  TimePoint drain_until = TimePoint::max();
  AttemptResult result;
  std::string tag;  // GAUNTLET_TAG: finds what left the group (exec/leftovers.h)
};

LocalRunner::LocalRunner(const LocalRunnerOptions& options)
    : options_(options), clock_(options.clock ? options.clock : SystemClock()) {}

Result<std::unique_ptr<LocalRunner>> LocalRunner::Create(const LocalRunnerOptions& options) {
  std::unique_ptr<LocalRunner> runner(new LocalRunner(options));
  Status s = runner->Init();
  if (!s.ok()) return s.error();
  return runner;
}

Status LocalRunner::Init() {
  buf_.resize(64 * 1024);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Error::Errno("epoll_create1", errno);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Error::Errno("eventfd", errno);
  devnull_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull_fd_ < 0) return Error::Errno("open /dev/null", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) < 0)
    return Error::Errno("epoll_ctl", errno);

  posix_spawnattr_init(&attr_);
  attr_ready_ = true;
  posix_spawnattr_setflags(&attr_,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr_, 0);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr_, &empty);
  posix_spawnattr_setsigdefault(&attr_, &all);  // undo SIG_IGN (e.g. SIGPIPE) of the engine

  // pidfd_open needs Linux 5.3; probe it once on ourselves.
  int probe = PidfdOpen(getpid());
  if (probe >= 0) {
    close(probe);
  } else {
    use_pidfd_ = false;
  }

  sigset_t block;
  sigemptyset(&block);
  if (options_.catch_cancel_signals) {
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
  }
  if (!use_pidfd_) sigaddset(&block, SIGCHLD);
  if (!sigisemptyset(&block)) {
    if (pthread_sigmask(SIG_BLOCK, &block, &old_mask_) != 0) return Error{"pthread_sigmask failed"};
    restore_mask_ = true;
  }
  if (options_.catch_cancel_signals) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd_ < 0) return Error::Errno("signalfd", errno);
    ev.data.u64 = kSignalTag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev) < 0) {
      return Error::Errno("epoll_ctl", errno);
    }
  }
  if (!use_pidfd_) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigchld_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigchld_fd_ < 0) return Error::Errno("signalfd", errno);
    ev.data.u64 = kSigchldTag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, sigchld_fd_, &ev) < 0) {
      return Error::Errno("epoll_ctl", errno);
    }
  }
  return Ok();
}

LocalRunner::~LocalRunner() {
  // Leave nothing behind: kill every group still alive and reap it.
  for (Proc& p : procs_) {
    if (!p.in_use) continue;
    if (!p.exited) {
      Stop(p, SIGKILL);
      int status;
      waitpid(p.pid, &status, 0);
    }
    if (p.pidfd >= 0) close(p.pidfd);
    if (p.out_fd >= 0) close(p.out_fd);
  }
  for (int fd : {epoll_fd_, wake_fd_, signal_fd_, sigchld_fd_, devnull_fd_}) {
    if (fd >= 0) close(fd);
  }
  for (auto& [fd, actions] : actions_by_fd_) posix_spawn_file_actions_destroy(&actions);
  if (attr_ready_) posix_spawnattr_destroy(&attr_);
  if (restore_mask_) {
    // Discard the signals we consumed through signalfd before unblocking them.
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
}

int LocalRunner::pgid(ProcId id) const { return procs_[id].pid; }

Result<std::string> LocalRunner::ResolveProgram(std::string_view program, const char* what) {
  std::string key(program);
  auto it = program_paths_.find(key);
  if (it != program_paths_.end()) return it->second;
  // Resolve once per runner, not per spawn: posix_spawnp would search PATH every time.
  std::string found;
  if (key.find('/') != std::string::npos) {
    found = key;
  } else {
    const char* path = getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
      size_t colon = dirs.find(':');
      std::string_view dir = dirs.substr(0, colon);
      std::string candidate = std::string(dir.empty() ? "." : dir) + "/" + key;
      if (access(candidate.c_str(), X_OK) == 0) {
        found = std::move(candidate);
        break;
      }
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
    if (found.empty()) return Error{std::string(what) + " '" + key + "' not found in PATH"};
  }
  program_paths_.emplace(key, found);
  return found;
}

Result<ProcId> LocalRunner::Start(const SpawnRequest& request) {
  const bool direct = !request.argv.empty();
  if (direct && !request.argv[0]) return Error{"spawn: argv[0] is null"};
  ShellArgs args = direct ? ShellArgs{request.argv[0], {"", ""}} : ShellFor(request.shell);
  Result<std::string> program = ResolveProgram(args.program, direct ? "program" : "shell");
  if (!program.ok()) return program.error();

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return Error::Errno("pipe2", errno);
  // Only our end is non-blocking: the child must see an ordinary blocking stdout.
  fcntl(fds[0], F_SETFL, O_NONBLOCK);

  auto new_actions = [&](posix_spawn_file_actions_t* a) {
    posix_spawn_file_actions_init(a);
    posix_spawn_file_actions_adddup2(a, devnull_fd_, 0);
    posix_spawn_file_actions_adddup2(a, fds[1], 1);
    posix_spawn_file_actions_adddup2(a, fds[1], 2);
  };
  std::string wd(request.working_directory);
  posix_spawn_file_actions_t own_actions;  // with a working directory: this spawn's only
  posix_spawn_file_actions_t* actions;
  if (wd.empty()) {
    auto [it, added] = actions_by_fd_.try_emplace(fds[1]);
    if (added) new_actions(&it->second);
    actions = &it->second;
  } else {
    new_actions(&own_actions);
    posix_spawn_file_actions_addchdir_np(&own_actions, wd.c_str());
    actions = &own_actions;
  }

  std::string script;
  const char* shell_argv[6];
  std::vector<const char*> direct_argv;  // only an explicit argv allocates
  const char* const* argv = shell_argv;
  if (direct) {
    direct_argv.reserve(request.argv.size() + 1);
    direct_argv.assign(request.argv.begin(), request.argv.end());
    direct_argv.push_back(nullptr);
    argv = direct_argv.data();
  } else {
    script = request.script;
    int argc = 0;
    shell_argv[argc++] = program->c_str();
    for (std::string_view f : args.flags) {
      if (!f.empty()) shell_argv[argc++] = f.data();  // literals: NUL-terminated
    }
    shell_argv[argc++] = "-c";
    shell_argv[argc++] = script.c_str();
    shell_argv[argc] = nullptr;
  }

  pid_t pid = -1;
  int err = posix_spawn(&pid, program->c_str(), actions, &attr_, const_cast<char**>(argv),
                        request.envp ? request.envp : environ);
  if (!wd.empty()) posix_spawn_file_actions_destroy(&own_actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    std::string what = "spawn " + *program;
    if (!wd.empty()) what += " in " + wd;
    return Error::Errno(what, err);
  }

  int pidfd = -1;
  if (use_pidfd_) {
    pidfd = PidfdOpen(pid);
    if (pidfd < 0) {
      // Only fd exhaustion gets here (the probe succeeded): undo the spawn.
      int e = errno;
      kill(-pid, SIGKILL);
      int status;
      waitpid(pid, &status, 0);
      close(fds[0]);
      return Error::Errno("pidfd_open", e);
    }
  }

  ProcId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<ProcId>(procs_.size());
    procs_.emplace_back();
  }
  Proc& p = procs_[id];
  p = Proc{};
  p.in_use = true;
  p.pid = pid;
  p.pidfd = pidfd;
  p.out_fd = fds[0];
  p.keep_background = request.keep_background;
  p.tag.assign(request.tag);
  p.start = clock_->Now();
  if (request.timeout.count() > 0) p.deadline = p.start + request.timeout;
  ++running_;

  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = Tag(id, kPipe);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, p.out_fd, &ev);
  if (p.pidfd >= 0) {
    ev.data.u64 = Tag(id, kPidfd);
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, p.pidfd, &ev);
  }
  return id;
}

void LocalRunner::CloseWatched(int& fd) {
  if (fd < 0) return;
  // Deregister explicitly: close() alone leaves the epoll entry alive while a spawning
  // child still holds a copy of the fd (its close-on-exec is deferred), and a stale
  // event would then be read as the event of the next process in this slot.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  fd = -1;
}

void LocalRunner::Stop(Proc& p, int signal) {
  kill(-p.pid, signal);
  // What left the group (setsid, a double fork) still carries the attempt's tag. A scan
  // of /proc costs about a millisecond: paid only when a job is stopped, never per job.
  if (!p.tag.empty()) SignalTagged(p.tag, /*prefix=*/false, signal);
}

void LocalRunner::Cancel(ProcId id) {
  Proc& p = procs_[id];
  if (!p.in_use) return;
  if (!p.exited && p.cancelled) {
    Stop(p, SIGKILL);  // cancelled twice: no more grace
  } else if (!p.exited && !p.term_sent) {
    Stop(p, SIGTERM);
    p.term_sent = true;
    p.kill_at = clock_->Now() + options_.kill_grace;
  }
  p.cancelled = true;
}

void LocalRunner::Wake() {
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof one);
  (void)n;  // EAGAIN only when already awake
}

void LocalRunner::ReadOutput(ProcId id, Delegate* delegate) {
  Proc& p = procs_[id];
  // Bounded per event so one chatty job cannot starve the others (epoll is
  // level-triggered: we come back next turn).
  for (int i = 0; i < 16 && p.out_fd >= 0; ++i) {
    ssize_t n = read(p.out_fd, buf_.data(), buf_.size());
    if (n > 0) {
      delegate->OnOutput(id, std::string_view(buf_.data(), static_cast<size_t>(n)));
      if (static_cast<size_t>(n) < buf_.size()) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    CloseWatched(p.out_fd);  // EOF (or a read error, which we treat the same way)
  }
  if (p.out_fd < 0) MaybeFinish(id, delegate);
}

void LocalRunner::ChildExited(ProcId id, Delegate* delegate) {
  Proc& p = procs_[id];
  if (p.exited || p.leader_done) return;
  if (p.keep_background && !p.term_sent && p.out_fd >= 0) {
    // What it started may still write: read on until the output closes or the timeout.
    // Unreaped, the zombie keeps the group id from being reused meanwhile.
    p.leader_done = true;
    CloseWatched(p.pidfd);
    return;
  }
  Reap(id);
  MaybeFinish(id, delegate);
}

void LocalRunner::Reap(ProcId id) {
  Proc& p = procs_[id];
  // The child is a zombie: its pid (= the group id) cannot be reused yet, so this
  // reaches only the job's own leftovers (background daemons, grandchildren). A job
  // stopped by its timeout or Cancel also loses what escaped the group.
  if (p.term_sent) {
    Stop(p, SIGKILL);
  } else if (!p.keep_background) {
    kill(-p.pid, SIGKILL);
  }
  int status = 0;
  rusage ru{};
  pid_t r;
  do {
    r = wait4(p.pid, &status, 0, &ru);
  } while (r < 0 && errno == EINTR);
  p.exited = true;
  p.result.wall = std::chrono::duration_cast<Micros>(clock_->Now() - p.start);
  if (r == p.pid) {
    if (WIFEXITED(status)) {
      p.result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      p.result.signal = WTERMSIG(status);
    }
    p.result.user_cpu = ToMicros(ru.ru_utime);
    p.result.sys_cpu = ToMicros(ru.ru_stime);
    p.result.max_rss_kb = ru.ru_maxrss;
  }
  CloseWatched(p.pidfd);
  // The group was just killed; its members close the pipe as they die. Something that
  // escaped the group (setsid) could hold it open forever, so bound the wait.
  if (p.out_fd >= 0) p.drain_until = clock_->Now() + options_.kill_grace;
}

void LocalRunner::MaybeFinish(ProcId id, Delegate* delegate) {
  Proc& p = procs_[id];
  if (p.leader_done && !p.exited && p.out_fd < 0) Reap(id);
  if (!p.exited || p.out_fd >= 0) return;
  p.result.cancelled = p.cancelled && !p.result.timed_out;
  AttemptResult result = std::move(p.result);
  p.in_use = false;
  free_.push_back(id);
  --running_;
  delegate->OnExit(id, result);
}

void LocalRunner::CheckSigchld(Delegate* delegate) {
  signalfd_siginfo info;
  while (read(sigchld_fd_, &info, sizeof info) == sizeof info) {
  }
  // SIGCHLD coalesces: look at every child, without reaping (WNOWAIT) so the group id
  // stays reserved until ChildExited has killed the group.
  for (ProcId id = 0; id < static_cast<ProcId>(procs_.size()); ++id) {
    Proc& p = procs_[id];
    if (!p.in_use || p.exited || p.leader_done) continue;
    siginfo_t si{};
    if (waitid(P_PID, p.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == p.pid) {
      ChildExited(id, delegate);
    }
  }
}

void LocalRunner::CheckTimers(Delegate* delegate) {
  TimePoint now = clock_->Now();
  for (ProcId id = 0; id < static_cast<ProcId>(procs_.size()); ++id) {
    Proc& p = procs_[id];
    if (!p.in_use) continue;
    if (!p.exited && !p.term_sent && now >= p.deadline) {
      p.result.timed_out = true;
      p.term_sent = true;
      Stop(p, SIGTERM);
      p.kill_at = now + options_.kill_grace;
    }
    if (!p.exited && now >= p.kill_at) {
      Stop(p, SIGKILL);
      p.kill_at = TimePoint::max();
      // A kept background whose leader is gone: bound the wait for the output as above.
      if (p.leader_done) p.drain_until = now + options_.kill_grace;
    }
    if ((p.exited || p.leader_done) && p.out_fd >= 0 && now >= p.drain_until) {
      CloseWatched(p.out_fd);
      MaybeFinish(id, delegate);
    }
  }
}

Status LocalRunner::Poll(TimePoint deadline, Delegate* delegate) {
  // A linear scan for the nearest process timer: -j is small (cores), and this avoids a
  // heap with stale entries.
  TimePoint next = deadline;
  for (const Proc& p : procs_) {
    if (!p.in_use) continue;
    if (!p.term_sent && p.deadline < next) next = p.deadline;
    if (p.kill_at < next) next = p.kill_at;
    if (p.drain_until < next) next = p.drain_until;
  }
  int timeout_ms = -1;
  if (next != TimePoint::max()) {
    auto left = next - clock_->Now();
    timeout_ms = left.count() <= 0
                     ? 0
                     : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
  }
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return Ok();
    return Error::Errno("epoll_wait", errno);
  }
  // Exits first, then output, so a child that printed and exited in the same turn has its
  // pidfd handled before its pipe EOF: either order works, this one finishes in one turn.
  for (int i = 0; i < n; ++i) {
    uint64_t tag = events[i].data.u64;
    if ((tag & 3) == kPidfd) ChildExited(static_cast<ProcId>(tag >> 2), delegate);
  }
  for (int i = 0; i < n; ++i) {
    uint64_t tag = events[i].data.u64;
    if (tag == kWakeTag) {
      uint64_t v;
      ssize_t r = read(wake_fd_, &v, sizeof v);
      (void)r;
    } else if (tag == kSignalTag) {
      signalfd_siginfo info;
      bool got = false;
      while (read(signal_fd_, &info, sizeof info) == sizeof info) got = true;
      if (got) delegate->OnCancelSignal();
    } else if (tag == kSigchldTag) {
      CheckSigchld(delegate);
    } else if ((tag & 3) == kPipe) {
      ProcId id = static_cast<ProcId>(tag >> 2);
      if (procs_[id].in_use && procs_[id].out_fd >= 0) ReadOutput(id, delegate);
    }
  }
  CheckTimers(delegate);
  return Ok();
}

}  // namespace gauntlet::exec
