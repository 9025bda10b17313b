#include "exec/leftovers.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <string>

#include "core/fd.h"

namespace gauntlet::exec {
namespace {

constexpr std::string_view kTagVariable = "GAUNTLET_TAG=";

// The value of GAUNTLET_TAG in a process's environment, or false.
bool ReadProcessTag(pid_t pid, std::string* buf, std::string_view* tag) {
  char path[32];
  snprintf(path, sizeof path, "/proc/%d/environ", static_cast<int>(pid));
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;  // gone, or another user's
  buf->clear();
  char chunk[16384];
  for (;;) {
    ssize_t n = read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf->append(chunk, static_cast<size_t>(n));
  }
  std::string_view env(*buf);
  for (size_t at = 0; at < env.size();) {
    size_t end = env.find('\0', at);
    if (end == std::string_view::npos) end = env.size();
    std::string_view entry = env.substr(at, end - at);
    if (entry.substr(0, kTagVariable.size()) == kTagVariable) {
      *tag = entry.substr(kTagVariable.size());
      return true;
    }
    at = end + 1;
  }
  return false;
}

bool TagMatches(std::string_view value, std::string_view tag, bool prefix) {
  if (!prefix) return value == tag;
  return value.size() > tag.size() && value.substr(0, tag.size()) == tag &&
         value[tag.size()] == '/';
}

// Processes (not this one) whose tag `match` accepts.
std::vector<pid_t> FindProcessesTagged(const std::function<bool(std::string_view)>& match) {
  std::vector<pid_t> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  const pid_t self = getpid();
  std::string buf;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == self) continue;
    std::string_view value;
    if (ReadProcessTag(static_cast<pid_t>(pid), &buf, &value) && match(value))
      out.push_back(static_cast<pid_t>(pid));
  }
  closedir(proc);
  return out;
}

}  // namespace

std::vector<pid_t> FindTagged(std::string_view tag, bool prefix) {
  return FindProcessesTagged([&](std::string_view value) { return TagMatches(value, tag, prefix); });
}

int SignalTagged(std::string_view tag, bool prefix, int signal) {
  std::vector<pid_t> pids = FindTagged(tag, prefix);
  for (pid_t pid : pids) kill(pid, signal);
  return static_cast<int>(pids.size());
}

Result<int> KillTagged(const std::vector<std::string>& prefixes, Duration timeout) {
  using Clock = std::chrono::steady_clock;
  if (prefixes.empty()) return 0;
  auto match = [&](std::string_view value) {
    for (const std::string& p : prefixes) {
      if (TagMatches(value, p, /*prefix=*/true)) return true;
    }
    return false;
  };
  const auto deadline = Clock::now() + timeout;
  int killed = 0;
  for (;;) {
    std::vector<pid_t> pids = FindProcessesTagged(match);
    if (pids.empty()) return killed;
    std::string survivors;
    if (Clock::now() >= deadline) {
      for (pid_t pid : pids) survivors += (survivors.empty() ? "" : ", ") + std::to_string(pid);
    }
    for (pid_t pid : survivors.empty() ? pids : std::vector<pid_t>{}) {
      // Through a pidfd: the signal cannot reach a process that reused the pid, and the
      // wait is on the exit itself.
      Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
      if (pidfd.get() < 0) continue;  // already gone
      if (syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0) ++killed;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{pidfd.get(), POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0)
        survivors += (survivors.empty() ? "" : ", ") + std::to_string(pid);
    }
    if (!survivors.empty()) {
      return Error{"processes " + survivors + " (GAUNTLET_TAG " + prefixes.front() +
                   "/...) did not exit after SIGKILL"};
    }
  }
}

}  // namespace gauntlet::exec
