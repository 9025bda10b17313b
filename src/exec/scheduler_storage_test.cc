// The scheduler when the run cannot be recorded (a full disk), and when it continues
// the attempts of an earlier engine.
#include <gtest/gtest.h>

#include <algorithm>

#include "exec/fake_runner.h"
#include "exec/scheduler.h"
#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using testing::PlanBuilder;
using testing::Recorder;

FakeOutcome StorageScripted(const SpawnRequest& req) {
  std::string s(req.script);
  FakeOutcome o;
  if (s == "fail") o.exit_code = 1;
  if (s == "hang") o.hang = true;
  if (s.rfind("sleep:", 0) == 0) o.duration = std::chrono::milliseconds(std::stoi(s.substr(6)));
  if (s.rfind("print:", 0) == 0) o.output = s.substr(6);
  return o;
}

// Fails to record from the commit that holds `job`'s result on (or, with `on_output`,
// from the first output of it: a log write).
struct FailingRecorder : Recorder {
  std::string job;
  bool on_output = false;
  bool failed = false;
  void Flush() override {
    bool holds = std::find(pending.begin(), pending.end(), job) != pending.end();
    Recorder::Flush();
    if (holds && !on_output) failed = true;
  }
  void OnOutput(const plan::PlannedJob& j, int a, std::string_view b) override {
    Recorder::OnOutput(j, a, b);
    if (on_output && j.name == job) failed = true;
  }
  Status RecordingStatus() const override {
    if (failed) return Error{"write state.db-wal: No space left on device"};
    return Ok();
  }
};

bool WasStarted(const FakeRunner& runner, const std::string& script) {
  return std::any_of(runner.started().begin(), runner.started().end(),
                     [&](const auto& s) { return s.script == script; });
}

TEST(SchedulerStorageTest, AFailedCommitStartsNothingMoreAndStopsTheRun) {
  PlanBuilder b;
  auto a = b.Add("a", "sleep:10");
  b.Add("after-a", "print:never", {a});
  b.Add("slow", "hang");
  b.Add("later", "sleep:5", {}, [](spec::Job& j) { j.if_expr = "always()"; });
  FakeClock clock;
  FakeRunner runner(&clock, StorageScripted);
  FailingRecorder rec;
  rec.job = "a";
  SchedulerOptions o;
  o.parallelism = 2;
  Scheduler s(b.plan, &runner, &rec, o);
  RunResult r = s.Run();
  EXPECT_EQ(r.state, RunState::kFailed);
  EXPECT_EQ(r.storage_error, "write state.db-wal: No space left on device");
  EXPECT_FALSE(WasStarted(runner, "print:never")) << "a dependent started on an unrecorded result";
  EXPECT_FALSE(WasStarted(runner, "sleep:5")) << "nothing new starts, not even always() jobs";
  EXPECT_EQ(rec.state("slow"), JobState::kCancelled);  // stopped, not left running
  EXPECT_EQ(rec.state("after-a"), JobState::kCancelled);
  EXPECT_NE(rec.results["after-a"].reason.find("could not be recorded: write state.db-wal"),
            std::string::npos)
      << rec.results["after-a"].reason;
  EXPECT_EQ(rec.state("a"), JobState::kSuccess);  // it did finish; its row may be lost
}

TEST(SchedulerStorageTest, AFailedLogWriteStopsTheRunWithinTheTurn) {
  PlanBuilder b;
  auto a = b.Add("a", "print:hello");
  b.Add("b", "print:never", {a});
  b.Add("slow", "hang");
  FakeClock clock;
  FakeRunner runner(&clock, StorageScripted);
  FailingRecorder rec;
  rec.job = "a";
  rec.on_output = true;
  Scheduler s(b.plan, &runner, &rec, {});
  RunResult r = s.Run();
  EXPECT_EQ(r.state, RunState::kFailed);
  EXPECT_EQ(r.storage_error, "write state.db-wal: No space left on device");
  EXPECT_FALSE(WasStarted(runner, "print:never"));
  EXPECT_EQ(rec.state("slow"), JobState::kCancelled);
}

TEST(SchedulerStorageTest, ARecordableRunHasNoStorageError) {
  PlanBuilder b;
  b.Add("a", "print:x");
  FakeClock clock;
  FakeRunner runner(&clock, StorageScripted);
  Recorder rec;
  Scheduler s(b.plan, &runner, &rec, {});
  RunResult r = s.Run();
  EXPECT_EQ(r.state, RunState::kSuccess);
  EXPECT_TRUE(r.storage_error.empty());
}

// A resumed run numbers a job's attempts after those an earlier engine made, so its
// log and the attempts table never hold two executions under one number.
TEST(SchedulerStorageTest, AttemptNumbersGoOnAfterAnEarlierEngine) {
  PlanBuilder b;
  b.Add("a", "fail", {}, [](spec::Job& j) { j.retry.attempts = 2; });
  b.Add("b", "ok");
  FakeClock clock;
  FakeRunner runner(&clock, StorageScripted);
  Recorder rec;
  SchedulerOptions o;
  o.attempts_before = {2, 0};
  o.run_dir = "/runs/7";
  o.process_tag = "k/7";
  Scheduler s(b.plan, &runner, &rec, o);
  s.Run();
  EXPECT_NE(std::find(rec.events.begin(), rec.events.end(), "start a 3"), rec.events.end());
  EXPECT_NE(std::find(rec.events.begin(), rec.events.end(), "start a 4"), rec.events.end());
  EXPECT_EQ(std::find(rec.events.begin(), rec.events.end(), "start a 5"), rec.events.end())
      << "retry: counts this engine's attempts (2), not the earlier ones";
  EXPECT_EQ(rec.results["a"].attempts, 4);
  const auto& first = runner.started()[0];
  EXPECT_EQ(first.env.at("GAUNTLET_ATTEMPT"), "3");
  EXPECT_EQ(first.env.at("GAUNTLET_OUTPUT"), "/runs/7/out-0-3");
  EXPECT_EQ(first.env.at("GAUNTLET_TAG"), "k/7/0/3");
  for (const auto& st : runner.started()) {
    if (st.script == "ok") {
      EXPECT_EQ(st.env.at("GAUNTLET_TAG"), "k/7/1/1");
    }
  }
}

TEST(SchedulerStorageTest, EveryProcessGetsAUniqueTag) {
  PlanBuilder b;
  b.Add("a", "ok");
  FakeClock clock;
  FakeRunner runner(&clock, StorageScripted);
  Recorder rec;
  SchedulerOptions o;
  o.run_id = "5";
  Scheduler s(b.plan, &runner, &rec, o);
  s.Run();
  EXPECT_EQ(runner.started()[0].env.at("GAUNTLET_TAG"),
            "engine-" + std::to_string(getpid()) + "/5/0/1");
}

}  // namespace
}  // namespace gauntlet::exec
