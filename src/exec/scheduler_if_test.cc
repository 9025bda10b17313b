// How the scheduler decides whether a job with an `if:` runs (docs/running.md, "`if:` and
// the status functions"), and what a failed decision says, on the fake runner.
#include <gtest/gtest.h>

#include "exec/scheduler.h"
#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using testing::FakeRun;
using testing::PlanBuilder;

// An `if:` that calls no status function is read as `success() && (expr)`: a true
// condition does not run a job whose need failed. Fail-fast would skip such a job before
// its `if:` is read, so the run keeps going; the conditions are true on their own.
TEST(SchedulerIfTest, AConditionWithoutAStatusFunctionAlsoNeedsItsNeedsToSucceed) {
  PlanBuilder b;
  auto broken = b.Add("broken", "fail");
  auto fine = b.Add("fine", "ok");
  auto edit = [](const char* expr) { return [expr](spec::Job& j) { j.if_expr = expr; }; };
  b.Add("after-broken", "ok", {broken}, edit("branch == 'main'"));
  b.Add("wrapped", "ok", {broken}, edit("${{ branch == 'main' }}"));
  b.Add("after-fine", "ok", {fine}, edit("branch == 'main'"));
  b.Add("false-after-fine", "ok", {fine}, edit("branch == 'dev'"));
  b.Add("success-or", "ok", {broken}, edit("success() || branch == 'main'"));
  b.Add("on-failure", "ok", {broken}, edit("failure() && branch == 'main'"));
  FakeRun f;
  SchedulerOptions o;
  o.keep_going = true;
  o.branch = "main";
  EXPECT_EQ(f.Run(b.plan, o).state, RunState::kFailed);

  for (const char* job : {"after-broken", "wrapped"}) {
    SCOPED_TRACE(job);
    EXPECT_EQ(f.rec.state(job), JobState::kSkipped);
    EXPECT_EQ(f.rec.results[job].reason, "a needed job failed");
    EXPECT_TRUE(f.rec.results[job].upstream_failed);
  }
  // The other side: after a success the condition alone decides.
  EXPECT_EQ(f.rec.state("after-fine"), JobState::kSuccess);
  EXPECT_EQ(f.rec.state("false-after-fine"), JobState::kSkipped);
  EXPECT_EQ(f.rec.results["false-after-fine"].reason, "if: branch == 'dev' is false");
  EXPECT_FALSE(f.rec.results["false-after-fine"].upstream_failed);
  // With a status function the expression is read as written.
  EXPECT_EQ(f.rec.state("success-or"), JobState::kSuccess);
  EXPECT_EQ(f.rec.state("on-failure"), JobState::kSuccess);
}

// docs/running.md, "Secrets masking": failure reasons are masked. An `if:` that fails to
// evaluate quotes the value it could not read, here a secret that is not JSON.
TEST(SchedulerIfTest, AConditionsErrorQuotingASecretIsMasked) {
  PlanBuilder b;
  b.Add("reads", "ok", {}, [](spec::Job& j) { j.if_expr = "fromJSON(secrets.TOKEN).on"; });
  FakeRun f;
  SchedulerOptions o;
  o.secrets = {{"TOKEN", "t0ps3cret-not-json"}};
  EXPECT_EQ(f.Run(b.plan, o).state, RunState::kFailed);
  EXPECT_EQ(f.rec.state("reads"), JobState::kFailed);
  EXPECT_EQ(f.rec.results["reads"].reason, "if: fromJSON(): '***' is not valid JSON");
  EXPECT_TRUE(f.runner.started().empty());
}

}  // namespace
}  // namespace gauntlet::exec
