#include "cli/history.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

namespace gauntlet::cli {
namespace {

TEST(HistoryTest, HumanDurationPicksOneUnitScale) {
  EXPECT_EQ(HumanDuration(0), "0ms");
  EXPECT_EQ(HumanDuration(850), "850ms");
  EXPECT_EQ(HumanDuration(12'345), "12.3s");
  EXPECT_EQ(HumanDuration(245'000), "4m05s");
  EXPECT_EQ(HumanDuration(3'720'000), "1h02m");
}

TEST(HistoryTest, ElapsedUsesNowWhileRunning) {
  EXPECT_EQ(ElapsedMs(1000, 3500, 9000), 2500);
  EXPECT_EQ(ElapsedMs(1000, 0, 9000), 8000);
  EXPECT_EQ(ElapsedMs(0, 0, 9000), 0);  // never started
}

TEST(HistoryTest, DescribeExitSaysHowAnAttemptEnded) {
  store::AttemptRecord a;
  EXPECT_EQ(DescribeExit(a), "-");
  a.exit_code = 2;
  EXPECT_EQ(DescribeExit(a), "exit 2");
  a.exit_code = -1;
  a.signal = SIGKILL;
  EXPECT_EQ(DescribeExit(a), "signal 9 (KILL)");
  a.timed_out = true;
  EXPECT_EQ(DescribeExit(a), "timeout, SIGKILL");
}

TEST(HistoryTest, ParseRunIdTakesPositiveNumbers) {
  EXPECT_EQ(ParseRunId("12"), 12);
  EXPECT_EQ(ParseRunId("#12"), 12);
  EXPECT_EQ(ParseRunId("0"), std::nullopt);
  EXPECT_EQ(ParseRunId("-3"), std::nullopt);
  EXPECT_EQ(ParseRunId("12x"), std::nullopt);
  EXPECT_EQ(ParseRunId("build"), std::nullopt);
  EXPECT_EQ(ParseRunId(""), std::nullopt);
}

// The pid of a process that has exited and been reaped.
int64_t ReapedPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return pid;
}

TEST(HistoryTest, ARunningRunWithADeadEngineIsShownInterrupted) {
  store::RunRecord r;
  r.status = store::RunStatus::kRunning;
  r.engine_host = store::HostName();
  r.engine_pid = getpid();
  EXPECT_EQ(ShownStatus(r), "running");
  r.engine_pid = 0;  // no engine
  EXPECT_EQ(ShownStatus(r), "interrupted");
  r.engine_pid = ReapedPid();  // an engine that has exited
  EXPECT_EQ(ShownStatus(r), "interrupted");
  r.engine_host = "another-host.example";  // cannot be judged from here
  EXPECT_EQ(ShownStatus(r), "running");
  r.status = store::RunStatus::kSuccess;
  r.engine_host = store::HostName();
  EXPECT_EQ(ShownStatus(r), "success");
}

}  // namespace
}  // namespace gauntlet::cli
