// Helpers for end-to-end tests of the real `gauntlet` binary: a temp workspace, and
// running the binary with posix_spawn (argv, no shell) with stdout/stderr in files.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace gauntlet::testing {

namespace fs = std::filesystem;

struct Output {
  int code = -1;
  std::string out, err;
};

// A workflow file of the GitHub Actions corpus (tests/fixtures/gha/). One definition for
// every test file: two copies in anonymous namespaces break the build once the unity
// batches put those files together.
inline fs::path GhaFixture(const std::string& name) {
  return fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "fixtures" / "gha" / name;
}

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A command's stdout parsed as JSON (a test failure, and a discarded value, when it is not).
inline nlohmann::json JsonOut(const Output& o) {
  nlohmann::json j = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << o.out << o.err;
  return j;
}

// Job name -> status, from the JSON of `run --json`, `retry --json` or `status --json`
// (a test failure, and an empty map, when stdout is not JSON).
inline std::map<std::string, std::string> JobStatuses(const Output& o) {
  std::map<std::string, std::string> out;
  nlohmann::json j = nlohmann::json::parse(o.out, nullptr, false);
  if (!j.is_object()) {
    ADD_FAILURE() << "not JSON: " << o.out << o.err;
    return out;
  }
  for (const auto& job : j["jobs"]) out[job["name"]] = job["status"];
  return out;
}

// Starts the gauntlet binary with `args` in `cwd`, stdin from /dev/null, stderr into
// `err`, stdout into `out` or, when `stdout_fd` is given, onto that descriptor (argv, no
// shell). Returns the pid, or -1.
inline pid_t SpawnGauntletTo(std::vector<std::string> args, const fs::path& cwd,
                             const fs::path& out, const fs::path& err, int stdout_fd = -1) {
  args.insert(args.begin(), GAUNTLET_BINARY);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot spawn " << argv[0];
  return rc == 0 ? pid : -1;
}

// Starts the gauntlet binary with `args` in `cwd`, stdin from /dev/null, stdout and
// stderr into the given files (argv, no shell). Returns the pid, or -1.
inline pid_t SpawnGauntlet(std::vector<std::string> args, const fs::path& cwd, const fs::path& out,
                           const fs::path& err) {
  return SpawnGauntletTo(std::move(args), cwd, out, err);
}

// Waits for a SpawnGauntlet child; its exit code (128+signal when killed) and output.
inline Output WaitGauntlet(pid_t pid, const fs::path& out, const fs::path& err) {
  Output o;
  int status = 0;
  if (pid <= 0) return o;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = ReadFile(out);
  o.err = ReadFile(err);
  return o;
}

// Starts the gauntlet binary with `args` in `cwd`, its stdout into a pipe whose read end
// is returned in `*stdout_fd` (close-on-exec; the caller closes it), stderr into `err`.
inline pid_t SpawnGauntletPiped(std::vector<std::string> args, const fs::path& cwd, int* stdout_fd,
                                const fs::path& err) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2";
    return -1;
  }
  pid_t pid = SpawnGauntletTo(std::move(args), cwd, {}, err, fds[1]);
  close(fds[1]);
  *stdout_fd = fds[0];
  return pid;
}

// Reads `fd` until `out` contains `needle`, EOF, or the deadline; true if found.
inline bool ReadUntil(int fd, std::string* out, const std::string& needle,
                      std::chrono::steady_clock::time_point deadline) {
  while (out->find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return out->find(needle) != std::string::npos;
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

// A pidfd for `pid` (any process of ours, child or not), or -1.
inline int OpenPidFd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// Waits until the process behind `pidfd` has exited, up to `deadline`; true if it has.
inline bool WaitExited(int pidfd, std::chrono::milliseconds deadline) {
  pollfd p{pidfd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(deadline.count())) == 1;
}

// A job that holds until the test lets it go: these `commands:` entries (indented for a
// job of a jobs map) open the FIFO `hold` read-write, which never blocks, then say
// "started" into the FIFO `reached` (a Signal), then wait for a line on `hold`. Because
// the job opened `hold` before it said so, ReleaseHold always finds a reader.
inline constexpr const char* kHoldSteps =
    "      - exec 3<>hold\n"
    "      - echo started > reached\n"
    "      - read -r go <&3\n";

inline void MakeHold(const fs::path& dir) {
  ASSERT_EQ(mkfifo((dir / "hold").c_str(), 0600), 0) << strerror(errno);
}

// Lets the job waiting in kHoldSteps go on.
inline void ReleaseHold(const fs::path& dir) {
  int fd = open((dir / "hold").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0) << "no job holds the FIFO: " << strerror(errno);
  ASSERT_EQ(write(fd, "go\n", 3), 3);
  close(fd);
}

// A gate for jobs: shut while the test holds an exclusive lock on the file; the jobs wait
// in `flock -s FILE true`.
class Gate {
 public:
  explicit Gate(const fs::path& path)
      : fd_(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(::flock(fd_, LOCK_EX), 0);
  }
  ~Gate() { Open(); }
  void Open() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Lines "start N" / "end N" that jobs write into the FIFO, in order.
class Events {
 public:
  explicit Events(const fs::path& path) {
    EXPECT_EQ(mkfifo(path.c_str(), 0600), 0);
    // Read-write: writers never block for want of a reader, and there is never an EOF.
    fd_ = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    EXPECT_GE(fd_, 0);
  }
  ~Events() { ::close(fd_); }
  // Reads until `count` lines start with `prefix`, or the deadline.
  bool WaitFor(const std::string& prefix, int count, std::chrono::seconds within) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (Count(prefix) < count) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      end - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) > 0) Drain();
    }
    return true;
  }
  void Drain() {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
  }
  int Count(const std::string& prefix) const {
    int n = 0;
    std::istringstream in(text_);
    for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
    return n;
  }
  // The most combinations that had started and not ended at any point.
  int MostAtOnce() const {
    int now = 0, most = 0;
    std::istringstream in(text_);
    for (std::string line; std::getline(in, line);) {
      now += line.rfind("start ", 0) == 0 ? 1 : line.rfind("end ", 0) == 0 ? -1 : 0;
      most = std::max(most, now);
    }
    return most;
  }
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

class Workspace {
 public:
  Workspace() {
    std::string tmpl = (fs::path(::testing::TempDir()) / "gauntlet-e2e-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp";
    dir_ = tmpl;
  }
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  fs::path Write(const std::string& name, const std::string& text) const {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

  // Starts the binary in the workspace; returns its pid. Output goes to files read by Wait.
  pid_t Start(std::vector<std::string> args) {
    ++runs_;
    out_ = dir_ / (".stdout" + std::to_string(runs_));
    err_ = dir_ / (".stderr" + std::to_string(runs_));
    return SpawnGauntlet(std::move(args), dir_, out_, err_);
  }

  Output Wait(pid_t pid) { return WaitGauntlet(pid, out_, err_); }

  Output Run(std::vector<std::string> args) { return Wait(Start(std::move(args))); }

 private:
  fs::path dir_, out_, err_;
  int runs_ = 0;
};

// Creates a FIFO and waits (up to `deadline`) until a job writes a line into it:
// the event "the job got this far", without sleeping.
class Signal {
 public:
  explicit Signal(fs::path path) : path_(std::move(path)) {
    mkfifo(path_.c_str(), 0600);
    fd_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK);
  }
  ~Signal() {
    if (fd_ >= 0) close(fd_);
  }
  const fs::path& path() const { return path_; }
  // The line written, or "" when nothing came before the deadline.
  std::string Wait(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    std::string got;
    while (got.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[256];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) {
        got.append(buf, n);
      } else if (n == 0) {
        // No writer yet (or the writer closed without a newline): wait for one. A FIFO
        // with no writer polls as hung up; reopen to block on the next writer.
        close(fd_);
        fd_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK);
        pollfd q{fd_, POLLIN, 0};
        poll(&q, 1, static_cast<int>(std::min<long>(left.count(), 50)));
      }
    }
    return got.substr(0, got.find('\n'));
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// A job that starts a background process and waits for it: these `commands:` entries
// (indented for a job of a jobs map) say "SHELL_PID BACKGROUND_PID" into the FIFO
// `reached` (a Signal). Stopping the run must end both processes.
inline constexpr const char* kDaemonSteps =
    "      - tail -f /dev/null &\n"
    "      - echo \"$$ $!\" > reached\n"
    "      - wait\n";

// The two processes of a kDaemonSteps job, watched through pidfds (they are not the
// test's children, so waitpid cannot wait for them).
class DaemonJob {
 public:
  DaemonJob() = default;
  DaemonJob(const DaemonJob&) = delete;
  DaemonJob& operator=(const DaemonJob&) = delete;
  ~DaemonJob() {
    if (shell_fd_ >= 0) close(shell_fd_);
    if (background_fd_ >= 0) close(background_fd_);
  }
  // Waits for the job's line; false when it did not come, or its processes are gone.
  bool Started(Signal& reached) {
    std::istringstream pids(reached.Wait());
    pid_t shell = 0, background = 0;
    pids >> shell >> background;
    if (shell <= 0 || background <= 0) return false;
    shell_fd_ = OpenPidFd(shell);
    background_fd_ = OpenPidFd(background);
    return shell_fd_ >= 0 && background_fd_ >= 0;
  }
  bool ShellExited(std::chrono::milliseconds deadline) { return WaitExited(shell_fd_, deadline); }
  bool BackgroundExited(std::chrono::milliseconds deadline) {
    return WaitExited(background_fd_, deadline);
  }

 private:
  int shell_fd_ = -1, background_fd_ = -1;
};

}  // namespace gauntlet::testing
