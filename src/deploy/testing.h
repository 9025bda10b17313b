// Test-only helpers (included by *_test.cc only): real child processes started in the
// background, and waits on events with deadlines.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "deploy/tcp_connect.h"

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

// Retries a TCP connect until it succeeds or `deadline` passes: for servers that print
// nothing when ready (nginx). Refused connects fail at once, hence the short pause.
inline bool WaitForPort(const std::string& address, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (TcpConnect(address, std::chrono::milliseconds(200))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
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

// A free 127.0.0.1 port (bound then released; fine for tests on loopback).
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace gauntlet::deploy::testing
