#include "exec/executors.h"

#include <gtest/gtest.h>

namespace gauntlet::exec {
namespace {

// Waits for the one process a test started and returns how it ended.
class Done : public ProcessRunner::Delegate {
 public:
  void OnOutput(ProcId, std::string_view bytes) override { output.append(bytes); }
  void OnExit(ProcId, const AttemptResult& r) override {
    result = r;
    exited = true;
  }
  std::string output;
  AttemptResult result;
  bool exited = false;
};

TEST(ExecutorsTest, LocalAndTheDefaultRunProcesses) {
  for (std::string_view name : {std::string_view("local"), std::string_view("")}) {
    auto runner = MakeRunner(name, {});
    ASSERT_TRUE(runner.ok()) << runner.error().message;
    SpawnRequest req;
    req.shell = "sh";
    req.script = "echo hi; exit 3";
    ASSERT_TRUE((*runner)->Start(req).ok());
    Done done;
    while (!done.exited) ASSERT_TRUE((*runner)->Poll(TimePoint::max(), &done).ok());
    EXPECT_EQ(done.output, "hi\n");
    EXPECT_EQ(done.result.exit_code, 3);
  }
}

TEST(ExecutorsTest, TheRunnerReadsTheClockItIsGiven) {
  FakeClock clock;
  clock.Advance(std::chrono::hours(5));
  RunnerOptions options;
  options.clock = &clock;
  auto runner = MakeRunner("local", options);
  ASSERT_TRUE(runner.ok());
  EXPECT_EQ((*runner)->clock()->Now(), clock.Now());
}

TEST(ExecutorsTest, AnUnknownExecutorIsInvalidAndNamesTheKnownOnes) {
  auto runner = MakeRunner("slurm", {});
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(runner.error().message, "unknown executor 'slurm' (known: local)");
}

}  // namespace
}  // namespace gauntlet::exec
