#include "exec/local_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <thread>

namespace gauntlet::exec {
namespace {

using namespace std::chrono_literals;

struct Collector : ProcessRunner::Delegate {
  std::map<ProcId, std::string> out;
  std::map<ProcId, AttemptResult> exits;
  bool keep_output = true;
  size_t bytes = 0;
  bool cancel_signal = false;
  void OnOutput(ProcId id, std::string_view b) override {
    bytes += b.size();
    if (keep_output) out[id].append(b);
  }
  void OnExit(ProcId id, const AttemptResult& r) override { exits[id] = r; }
  void OnCancelSignal() override { cancel_signal = true; }
};

// Polls until `done` holds, failing the test after `limit` (never sleeps).
void PollUntil(LocalRunner& runner, Collector& c, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 10s) {
  TimePoint deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timed out waiting";
    ASSERT_TRUE(runner.Poll(deadline, &c).ok());
  }
}

std::unique_ptr<LocalRunner> MakeRunner(Duration grace = 5s) {
  LocalRunnerOptions o;
  o.kill_grace = grace;
  auto r = LocalRunner::Create(o);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

AttemptResult RunOne(LocalRunner& runner, SpawnRequest req, std::string* out = nullptr) {
  Collector c;
  auto id = runner.Start(req);
  EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
  if (!id.ok()) return {};
  PollUntil(runner, c, [&] { return c.exits.count(*id) > 0; });
  if (out) *out = c.out[*id];
  return c.exits[*id];
}

SpawnRequest Req(std::string_view shell, std::string_view script, Duration timeout = Duration(0)) {
  SpawnRequest r;
  r.shell = shell;
  r.script = script;
  r.timeout = timeout;
  return r;
}

// The killed members are reaped by init a moment after they die, and there is no fd that
// signals that: wait for ESRCH with a deadline (yielding, not sleeping a fixed time).
bool GroupGone(int pgid) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (kill(-pgid, 0) == -1 && errno == ESRCH) return true;
    std::this_thread::yield();
  }
  return false;
}

long SelfRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(LocalRunnerTest, CapturesStdoutAndStderrInOneStream) {
  auto runner = MakeRunner();
  std::string out;
  AttemptResult r = RunOne(*runner, Req("sh", "echo out; echo err >&2"), &out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(out, "out\nerr\n");
  EXPECT_TRUE(r.ok());
  EXPECT_GT(r.wall.count(), 0);
  EXPECT_GT(r.max_rss_kb, 0);
}

TEST(LocalRunnerTest, ReportsExitCodeAndSignal) {
  auto runner = MakeRunner();
  EXPECT_EQ(RunOne(*runner, Req("sh", "exit 3")).exit_code, 3);
  AttemptResult r = RunOne(*runner, Req("sh", "kill -9 $$"));
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.ok());
}

TEST(LocalRunnerTest, ShellsStopAtTheFirstFailure) {
  auto runner = MakeRunner();
  std::string out;
  // bash: -eo pipefail, so a failing stage of a pipeline fails the script.
  EXPECT_EQ(RunOne(*runner, Req("bash", "false | true\necho no"), &out).exit_code, 1);
  EXPECT_EQ(out, "");
  EXPECT_EQ(RunOne(*runner, Req("sh", "false\necho no"), &out).exit_code, 1);
  EXPECT_EQ(out, "");
  // Any other shell gets only -c: no errexit.
  EXPECT_EQ(RunOne(*runner, Req("dash", "false\necho yes"), &out).exit_code, 0);
  EXPECT_EQ(out, "yes\n");
}

TEST(LocalRunnerTest, UsesTheGivenEnvironmentAndDirectoryAndNoStdin) {
  auto runner = MakeRunner();
  const char* env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", nullptr};
  std::string out;
  SpawnRequest q = Req("sh", "echo \"$FOO\"; pwd; cat; echo \"[$HOME]\"");
  q.envp = const_cast<char* const*>(env);
  q.working_directory = "/tmp";
  AttemptResult r = RunOne(*runner, q, &out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(out, "bar baz\n/tmp\n[]\n");
}

TEST(LocalRunnerTest, StartFailsForAMissingDirectoryOrShell) {
  auto runner = MakeRunner();
  auto r = runner->Start([] {
    SpawnRequest q = Req("sh", "true");
    q.working_directory = "/nonexistent/x";
    return q;
  }());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/x"), std::string::npos) << r.error().message;
  auto s = runner->Start(Req("no-such-shell-xyz", "true"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("no-such-shell-xyz"), std::string::npos);
  EXPECT_EQ(runner->running(), 0);
}

TEST(LocalRunnerTest, TimeoutKillsTheWholeGroupIncludingGrandchildren) {
  auto runner = MakeRunner();
  Collector c;
  auto id = runner->Start(Req("sh", "tail -f /dev/null & tail -f /dev/null & echo up; wait", 300ms));
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  AttemptResult r = c.exits[*id];
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_GE(r.wall, 300ms);
  EXPECT_EQ(c.out[*id], "up\n");
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerTest, SigkillAfterGraceWhenTermIsIgnored) {
  auto runner = MakeRunner(200ms);
  Collector c;
  auto id = runner->Start(Req("bash", "trap '' TERM; tail -f /dev/null & echo up; wait; wait", 100ms));
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].timed_out);
  EXPECT_EQ(c.exits[*id].signal, SIGKILL);
  EXPECT_GE(c.exits[*id].wall, 300ms);
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerTest, BackgroundDaemonOfAFinishedJobIsKilled) {
  auto runner = MakeRunner();
  Collector c;
  // The daemon keeps the output pipe open: without the group kill this never ends.
  auto id = runner->Start(Req("sh", "tail -f /dev/null & echo started"));
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(
      *runner, c, [&] { return c.exits.count(*id) > 0; }, 3s);
  EXPECT_EQ(c.exits[*id].exit_code, 0);
  EXPECT_FALSE(c.exits[*id].timed_out);
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerTest, CancelLeavesNoProcesses) {
  auto runner = MakeRunner();
  Collector c;
  std::vector<std::pair<ProcId, int>> started;
  for (int i = 0; i < 3; ++i) {
    auto id = runner->Start(Req("sh", "tail -f /dev/null & tail -f /dev/null"));
    ASSERT_TRUE(id.ok());
    started.emplace_back(*id, runner->pgid(*id));
  }
  for (auto [id, pgid] : started) runner->Cancel(id);
  PollUntil(*runner, c, [&] { return c.exits.size() == 3; });
  for (auto [id, pgid] : started) {
    EXPECT_TRUE(c.exits[id].cancelled);
    EXPECT_FALSE(c.exits[id].ok());
    EXPECT_TRUE(GroupGone(pgid));
  }
  EXPECT_EQ(runner->running(), 0);
}

TEST(LocalRunnerTest, SecondCancelKillsAtOnce) {
  auto runner = MakeRunner(std::chrono::hours(1));
  Collector c;
  auto id = runner->Start(Req("bash", "trap '' TERM; echo up; tail -f /dev/null & wait; wait"));
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.out[*id] == "up\n"; });
  runner->Cancel(*id);
  runner->Cancel(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_EQ(c.exits[*id].signal, SIGKILL);
  EXPECT_TRUE(c.exits[*id].cancelled);
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerTest, CatchesCancelSignals) {
  LocalRunnerOptions o;
  o.catch_cancel_signals = true;
  auto runner = LocalRunner::Create(o);
  ASSERT_TRUE(runner.ok());
  Collector c;
  ASSERT_EQ(kill(getpid(), SIGINT), 0);  // blocked on this thread: lands in the signalfd
  PollUntil(**runner, c, [&] { return c.cancel_signal; });
}

TEST(LocalRunnerTest, WakeInterruptsPoll) {
  auto runner = MakeRunner();
  Collector c;
  runner->Wake();
  auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(runner->Poll(before + 10s, &c).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

TEST(LocalRunnerTest, OneGibOfOutputStreamsInConstantMemory) {
  auto runner = MakeRunner();
  Collector c;
  c.keep_output = false;  // a discarding sink
  long rss_before = SelfRssKb();
  auto start = std::chrono::steady_clock::now();
  auto id = runner->Start(Req("sh", "head -c 1G /dev/zero"));
  ASSERT_TRUE(id.ok());
  PollUntil(
      *runner, c, [&] { return c.exits.count(*id) > 0; }, 60s);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long rss_after = SelfRssKb();
  EXPECT_EQ(c.bytes, 1ull << 30);
  EXPECT_EQ(c.exits[*id].exit_code, 0);
  EXPECT_LT(rss_after - rss_before, 8 * 1024)
      << "engine grew by " << rss_after - rss_before << " KiB";
  RecordProperty("throughput_mib_s", static_cast<int>(1024 / secs));
  std::printf("1 GiB through the runner: %.2fs, %.0f MiB/s\n", secs, 1024 / secs);
}

TEST(LocalRunnerTest, ManyShortJobsInParallel) {
  auto runner = MakeRunner();
  struct Counter : ProcessRunner::Delegate {
    int ok = 0, failed = 0;
    void OnOutput(ProcId, std::string_view) override {}
    void OnExit(ProcId, const AttemptResult& r) override {
      (r.ok() ? ok : failed)++;
      if (r.exit_code != 1 && !r.ok())
        ADD_FAILURE() << r.exit_code << " sig " << r.signal << " " << r.error;
    }
  } c;
  int started = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (c.ok + c.failed < 200) {
    while (started < 200 && runner->running() < 2) {
      ASSERT_TRUE(runner->Start(Req("sh", started % 2 ? "true" : "false")).ok());
      ++started;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    ASSERT_TRUE(runner->Poll(deadline, &c).ok());
  }
  EXPECT_EQ(c.ok, 100);
  EXPECT_EQ(c.failed, 100);
  EXPECT_EQ(runner->running(), 0);
}

SpawnRequest Argv(std::span<const char* const> argv, Duration timeout = Duration(0)) {
  SpawnRequest r;
  r.shell = "no-such-shell-xyz";  // ignored when argv is set
  r.script = "exit 99";
  r.argv = argv;
  r.timeout = timeout;
  return r;
}

TEST(LocalRunnerArgvTest, ArgvIsSpawnedAsGivenWithoutAShell) {
  auto runner = MakeRunner();
  const char* argv[] = {"printf", "%s|", "$HOME", "a b", "`id`", ";", "*", "'"};
  std::string out;
  AttemptResult r = RunOne(*runner, Argv(argv), &out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(out, "$HOME|a b|`id`|;|*|'|");
}

TEST(LocalRunnerArgvTest, LooksUpPathKeepsArgv0AndIsOurOwnChild) {
  auto runner = MakeRunner();
  std::string out;
  const char* cat[] = {"cat", "/proc/self/cmdline"};
  EXPECT_EQ(RunOne(*runner, Argv(cat), &out).exit_code, 0);
  EXPECT_EQ(out, std::string("cat\0/proc/self/cmdline\0", 23));
  // No shell in between: the program's parent is this process.
  const char* ppid[] = {"sh", "-c", "echo $PPID"};
  EXPECT_EQ(RunOne(*runner, Argv(ppid), &out).exit_code, 0);
  EXPECT_EQ(out, std::to_string(getpid()) + "\n");
}

TEST(LocalRunnerArgvTest, MissingProgramIsAStartError) {
  auto runner = MakeRunner();
  const char* argv[] = {"no-such-program-xyz", "x"};
  auto r = runner->Start(Argv(argv));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("program 'no-such-program-xyz' not found in PATH"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(runner->running(), 0);
}

TEST(LocalRunnerArgvTest, TimeoutKillsTheWholeGroup) {
  auto runner = MakeRunner();
  Collector c;
  const char* argv[] = {"sh", "-c", "tail -f /dev/null & echo up; wait"};
  auto id = runner->Start(Argv(argv, 300ms));
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].timed_out);
  EXPECT_EQ(c.exits[*id].signal, SIGTERM);
  EXPECT_GE(c.exits[*id].wall, 300ms);
  EXPECT_EQ(c.out[*id], "up\n");
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerKeepBackgroundTest, DetachedBackgroundProcessOutlivesTheCommand) {
  auto runner = MakeRunner();
  const char* argv[] = {"sh", "-c", "tail -f /dev/null >/dev/null 2>&1 & echo $!"};
  SpawnRequest q = Argv(argv);
  q.keep_background = true;
  Collector c;
  auto id = runner->Start(q);
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].ok());
  pid_t server = std::stoi(c.out[*id]);
  EXPECT_EQ(kill(server, 0), 0) << "the background process was killed";
  EXPECT_EQ(getpgid(server), pgid);
  kill(-pgid, SIGKILL);
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerKeepBackgroundTest, ReadsUntilEveryHolderClosesTheOutput) {
  auto runner = MakeRunner();
  // The background writer outlives the command by doing work first (no timer involved):
  // "late" arrives after the command exited, and must still be read.
  const char* argv[] = {"sh", "-c",
                        "(i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo late) & "
                        "echo early"};
  SpawnRequest q = Argv(argv, 30s);
  q.keep_background = true;
  std::string out;
  AttemptResult r = RunOne(*runner, q, &out);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(out, "early\nlate\n");
}

TEST(LocalRunnerKeepBackgroundTest, TimeoutStopsTheGroupAfterTheCommandExited) {
  auto runner = MakeRunner();
  // The command exits at once; its background child holds the output open.
  const char* argv[] = {"sh", "-c", "tail -f /dev/null & echo up"};
  SpawnRequest q = Argv(argv, 300ms);
  q.keep_background = true;
  Collector c;
  auto id = runner->Start(q);
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].timed_out);
  EXPECT_FALSE(c.exits[*id].ok());
  EXPECT_GE(c.exits[*id].wall, 300ms);
  EXPECT_EQ(c.out[*id], "up\n");
  EXPECT_TRUE(GroupGone(pgid));
  EXPECT_EQ(runner->running(), 0);
}

TEST(LocalRunnerKeepBackgroundTest, SigkillAfterGraceReachesABackgroundIgnoringTerm) {
  auto runner = MakeRunner(200ms);
  const char* argv[] = {"sh", "-c", "(trap '' TERM; exec tail -f /dev/null) & echo up"};
  SpawnRequest q = Argv(argv, 100ms);
  q.keep_background = true;
  Collector c;
  auto id = runner->Start(q);
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].timed_out);
  EXPECT_GE(c.exits[*id].wall, 300ms);
  EXPECT_TRUE(GroupGone(pgid));
}

TEST(LocalRunnerKeepBackgroundTest, CancelStopsTheGroupAfterTheCommandExited) {
  auto runner = MakeRunner();
  const char* argv[] = {"sh", "-c", "tail -f /dev/null & echo up"};
  SpawnRequest q = Argv(argv);
  q.keep_background = true;
  Collector c;
  auto id = runner->Start(q);
  ASSERT_TRUE(id.ok());
  int pgid = runner->pgid(*id);
  // Until the command itself has exited (seen without reaping it), then one more turn so
  // the runner has seen it too.
  PollUntil(*runner, c, [&] {
    siginfo_t si{};
    return waitid(P_PID, pgid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pgid;
  });
  ASSERT_TRUE(runner->Poll(std::chrono::steady_clock::now(), &c).ok());
  ASSERT_EQ(c.exits.count(*id), 0u) << "the background process still holds the output";
  runner->Cancel(*id);
  PollUntil(*runner, c, [&] { return c.exits.count(*id) > 0; });
  EXPECT_TRUE(c.exits[*id].cancelled);
  EXPECT_EQ(c.out[*id], "up\n");
  EXPECT_TRUE(GroupGone(pgid));
}

}  // namespace
}  // namespace gauntlet::exec
