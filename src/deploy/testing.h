// Test-only helpers (included by *_test.cc only): real child processes started in the
// background, and waits on events with deadlines.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace gauntlet::deploy::testing {

// A child process, stopped with SIGTERM (then reaped) when destroyed.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { Stop(); }

  // Starts argv with stdout on a pipe (read by ReadLine) and stderr to `stderr_path`.
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path = "/dev/null") {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
    if (rc != 0) pid_ = -1;
    return rc == 0;
  }

  // One line of stdout, waiting at most `deadline`; "" on timeout or EOF.
  std::string ReadLine(std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    std::string line;
    char c;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      if (read(out_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line += c;
    }
  }

  // Sends SIGTERM and reaps; returns the wait status (or -1 when not running).
  int Stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (out_ >= 0) close(out_);
    out_ = -1;
    return status;
  }
  pid_t pid() const { return pid_; }
  // The wait status if the child has exited (and is now reaped), else -1: no waiting.
  int TryWait() {
    int status = 0;
    if (pid_ <= 0 || waitpid(pid_, &status, WNOHANG) != pid_) return -1;
    pid_ = -1;
    if (out_ >= 0) close(out_);
    out_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

inline std::string TestAppPath() { return GAUNTLET_TESTAPP; }

// Starts gauntlet-testapp with `flags` on a free port; returns "127.0.0.1:PORT" or "".
inline std::string StartTestApp(Child* child, const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {TestAppPath(), "--port", "0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  if (!child->Start(argv)) return "";
  std::string line = child->ReadLine(std::chrono::seconds(10));
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) return "";
  return line.substr(prefix.size());
}

// Waits until `done()` holds, checking it again on each inotify event `mask` of `watched`
// (no polling), at most `deadline`.
template <typename Done>
bool WaitOnInotify(const std::string& watched, uint32_t mask, Done&& done,
                   std::chrono::milliseconds deadline) {
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return false;
  inotify_add_watch(fd, watched.c_str(), mask);
  auto end = std::chrono::steady_clock::now() + deadline;
  bool ok = false;
  while (!(ok = done())) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
  }
  close(fd);
  return ok || done();
}

// Waits until `path` exists, on inotify events of its directory, at most `deadline`. For
// servers that say nothing when ready but write a file once they listen (nginx writes its
// pid file after opening its listening sockets).
inline bool WaitForFile(const std::string& path, std::chrono::milliseconds deadline) {
  return WaitOnInotify(std::filesystem::path(path).parent_path().string(),
                       IN_CREATE | IN_MOVED_TO, [&] { return std::filesystem::exists(path); },
                       deadline);
}

// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gauntlet-deploy-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A loopback port held for the whole test, for servers the test cannot start on port 0
// and ask (an environment's instances are fixed addresses in its pipeline file, and
// the deploy command starts the server later). The socket is bound to 127.0.0.1:0 with
// SO_REUSEPORT and never listens: while it is held no other bind can take the port (a
// bind to port 0 never picks it, a bind without SO_REUSEPORT is refused), except by
// a process of this user that sets SO_REUSEPORT too, as gauntlet-testapp does
// (cpp-httplib's default socket options). Binding a free port and releasing it before
// the server binds it, by contrast, races with every other test binding ports.
class ReservedPort {
 public:
  ReservedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port_ = ntohs(addr.sin_port);
  }
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;
  ~ReservedPort() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }  // 0 when it could not be reserved
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace gauntlet::deploy::testing
