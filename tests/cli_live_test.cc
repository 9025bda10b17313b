// End-to-end: `logs`, `logs -f`, `status` and `cancel` against a real `gauntlet run` in
// progress (a real engine, real jobs, the real SQLite store and log file). Jobs say how
// far they got through a FIFO the test waits on with a deadline, and block on a FIFO of
// their own until the test releases them: no sleeps.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::Signal;
using testing::Workspace;
using Json = nlohmann::json;
using namespace std::chrono_literals;

using testing::kHoldSteps;

// The engine's own output files, apart from the commands the test runs meanwhile.
struct Engine {
  pid_t pid = -1;
  fs::path out, err;
  Engine(const Workspace& ws, std::vector<std::string> args)
      : out(ws.dir() / ".engine.out"), err(ws.dir() / ".engine.err") {
    pid = testing::SpawnGauntlet(std::move(args), ws.dir(), out, err);
  }
  // A test that stopped half-way cancels the run, so no job is left blocked.
  ~Engine() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
  testing::Output Wait() {
    testing::Output o = testing::WaitGauntlet(pid, out, err);
    pid = -1;
    return o;
  }
};

// `build` prints `build_output` and ends; `test` needs it, holds, then runs `after`.
std::string BuildThenHeldTest(const std::string& name, const std::string& build_output,
                              const std::string& after = "") {
  return "name: " + name + "\njobs:\n  build:\n    run: echo \"" + build_output +
         "\"\n  test:\n    needs: [build]\n    commands:\n" + testing::kHoldSteps +
         (after.empty() ? "" : "      - " + after + "\n");
}

// docs/state.md: a job's log is flushed to the file just before the commit that records
// it, so once `status` shows it finished, `logs` shows its output, while the run goes on.
TEST(CliLiveTest, LogsShowAFinishedJobsOutputWhileTheRunGoesOn) {
  Workspace ws;
  testing::MakeHold(ws.dir());
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", BuildThenHeldTest("live", "compiled 42 files"));
  Engine engine(ws, {"run", "-j", "2"});
  ASSERT_EQ(reached.Wait(), "started") << "the test job never started";

  // `build` was committed before `test` started: it is finished, with its log.
  Json status = testing::JsonOut(ws.Run({"status", "--json"}));
  ASSERT_EQ(status["status"], "running") << status.dump();
  EXPECT_EQ(status["jobs"][0]["status"], "success");
  auto logs = ws.Run({"logs", "1", "build"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_EQ(logs.out, "compiled 42 files\n");

  testing::ReleaseHold(ws.dir());
  auto r = engine.Wait();
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

// `logs -f` follows a real engine's run: it shows what was flushed, waits, and returns
// by itself when the run ends, having printed every job's output in order.
TEST(CliLiveTest, LogsFollowARealRunUntilItEnds) {
  Workspace ws;
  testing::MakeHold(ws.dir());
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml",
           BuildThenHeldTest("follow", "build output", "echo \"test output after release\""));
  Engine engine(ws, {"run", "-j", "2"});
  ASSERT_EQ(reached.Wait(), "started");

  int out_fd = -1;
  pid_t follower =
      testing::SpawnGauntletPiped({"logs", "-f"}, ws.dir(), &out_fd, ws.dir() / ".follow.err");
  ASSERT_GT(follower, 0);
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string out;
  EXPECT_TRUE(testing::ReadUntil(out_fd, &out, "[build] build output\n", deadline)) << out;
  // The follower is still waiting for more: nothing of `test`'s end yet.
  EXPECT_THAT(out, ::testing::Not(HasSubstr("after release")));

  testing::ReleaseHold(ws.dir());
  auto r = engine.Wait();
  EXPECT_EQ(r.code, 0) << r.err;
  // It ends by itself: EOF before the deadline.
  EXPECT_FALSE(testing::ReadUntil(out_fd, &out, "<never printed>", deadline)) << "still following";
  close(out_fd);
  if (std::chrono::steady_clock::now() >= deadline) kill(follower, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(follower, &status, 0), follower);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(out, "[build] build output\n[test] test output after release\n");
}

// `gauntlet cancel` against a real engine: the engine is signalled, kills its job's whole
// process group (a background process too), records the run and its jobs cancelled, and
// starts nothing more, not even an `always()` job; cancel returns once the engine exited.
TEST(CliLiveTest, CancelStopsARealRunAndItsJobsProcesses) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: cancellable
jobs:
  after: { run: "echo never >> ran", needs: [daemon] }
  cleanup: { run: "echo cleanup >> ran", needs: [daemon], if: "always()" }
  daemon:
    commands:
)YML" + std::string(testing::kDaemonSteps));
  Engine engine(ws, {"run", "-j", "2"});
  testing::DaemonJob daemon;
  ASSERT_TRUE(daemon.Started(reached)) << "the job never started";

  auto c = ws.Run({"cancel", "--json"});
  EXPECT_EQ(c.code, 0) << c.err;
  Json j = testing::JsonOut(c);
  EXPECT_EQ(j["status"], "cancelled");
  EXPECT_EQ(j["action"], "signalled");  // the engine recorded it, not cancel

  // cancel returned after the engine exited: it is a zombie now, its exit code 130.
  int status = 0;
  const pid_t reaped = waitpid(engine.pid, &status, WNOHANG);
  EXPECT_EQ(reaped, engine.pid) << "cancel returned before the engine exited";
  if (reaped == engine.pid) engine.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  EXPECT_TRUE(daemon.ShellExited(10s)) << "the job's shell survived";
  EXPECT_TRUE(daemon.BackgroundExited(10s)) << "the job's background process survived";

  Json st = testing::JsonOut(ws.Run({"status", "--json"}));
  EXPECT_EQ(st["status"], "cancelled");
  ASSERT_EQ(st["jobs"].size(), 3u);
  for (const Json& job : st["jobs"]) EXPECT_EQ(job["status"], "cancelled") << job.dump();
  EXPECT_FALSE(fs::exists(ws.dir() / "ran")) << testing::ReadFile(ws.dir() / "ran");
  // Nothing left running to cancel.
  EXPECT_EQ(ws.Run({"cancel"}).code, 3);
}

// Ctrl-C is SIGINT: the same cancel as SIGTERM (docs/running.md), exit code 130.
TEST(CliLiveTest, CtrlCCancelsARealRunAndStartsNoAlwaysJob) {
  Workspace ws;
  testing::MakeHold(ws.dir());
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", std::string(R"YML(name: interrupted
jobs:
  report: { run: "echo report >> ran", needs: [work], if: "always()" }
  work:
    commands:
)YML") + kHoldSteps);
  Engine engine(ws, {"run", "--json"});
  ASSERT_EQ(reached.Wait(), "started");
  ASSERT_EQ(kill(engine.pid, SIGINT), 0);
  auto r = engine.Wait();
  EXPECT_EQ(r.code, 130) << r.err;
  Json j = testing::JsonOut(r);
  EXPECT_EQ(j["status"], "cancelled");
  EXPECT_EQ(j["jobs"][0]["status"], "cancelled");
  EXPECT_EQ(j["jobs"][1]["status"], "cancelled");
  EXPECT_FALSE(fs::exists(ws.dir() / "ran"));
}

}  // namespace
}  // namespace gauntlet
