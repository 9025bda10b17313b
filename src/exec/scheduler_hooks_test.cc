// The scheduler's side of JobHooks (job cache, change filters, artifacts): when the hooks
// are asked, and what a result or an error from them does to the job and its dependents.
#include <gtest/gtest.h>

#include "exec/fake_runner.h"
#include "exec/scheduler.h"
#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using testing::PlanBuilder;
using testing::Recorder;

// Hooks driven by a table: job name -> what BeforeStart answers.
struct TableHooks : JobHooks {
  std::map<std::string, Result<std::optional<JobResult>>> before;
  std::map<std::string, Status> after;
  std::vector<std::string> asked;
  std::vector<std::string> succeeded;
  Result<std::optional<JobResult>> BeforeStart(const plan::PlannedJob& job,
                                               const std::vector<JobResult>& results) override {
    asked.push_back(job.name);
    auto it = before.find(job.name);
    if (it == before.end()) return std::optional<JobResult>();
    return it->second;
  }
  Status AfterSuccess(const plan::PlannedJob& job, JobResult* result) override {
    succeeded.push_back(job.name);
    result->cache_key = "key-" + job.name;
    auto it = after.find(job.name);
    return it == after.end() ? Ok() : it->second;
  }
};

JobResult Cached(std::string value) {
  JobResult r;
  r.state = JobState::kSuccess;
  r.cached = true;
  r.outputs = {{"v", std::move(value)}};
  r.reason = "cached";
  return r;
}

struct HookedRun {
  ManualClock clock;
  FakeRunner runner{&clock, [](const SpawnRequest&) { return FakeOutcome{}; }};
  Recorder rec;
  TableHooks hooks;
  RunResult Run(const plan::Plan& plan, bool keep_going = false) {
    SchedulerOptions o;
    o.keep_going = keep_going;
    o.parallelism = 2;
    o.base_env = std::vector<std::string>{};
    o.hooks = &hooks;
    Scheduler s(plan, &runner, &rec, std::move(o));
    return s.Run();
  }
  std::vector<std::string> Scripts() const {
    std::vector<std::string> out;
    for (const auto& s : runner.started()) out.push_back(s.script);
    return out;
  }
};

TEST(SchedulerHooksTest, ACachedJobDoesNotRunAndItsDependentsSeeItsOutputs) {
  PlanBuilder b;
  auto build = b.Add("build", "make");
  b.Add("test", "test ${{ needs.build.outputs.v }}", {build});
  HookedRun f;
  f.hooks.before.emplace("build", std::optional<JobResult>(Cached("42")));
  RunResult r = f.Run(b.plan);
  EXPECT_EQ(r.state, RunState::kSuccess);
  EXPECT_EQ(r.succeeded, 2);
  EXPECT_EQ(r.cached, 1);
  // An output is from outside the pipeline file: it reaches the script as a variable.
  EXPECT_EQ(f.Scripts(), std::vector<std::string>{"test \"${GAUNTLET_EXPR_1}\""});
  EXPECT_EQ(f.runner.started().at(0).env.at("GAUNTLET_EXPR_1"), "42");
  EXPECT_TRUE(f.rec.results.at("build").cached);
  EXPECT_EQ(f.rec.results.at("build").attempts, 0);
  EXPECT_EQ(f.hooks.succeeded, std::vector<std::string>{"test"});  // not asked for a cached job
  EXPECT_EQ(f.rec.results.at("test").cache_key, "key-test");
}

TEST(SchedulerHooksTest, AJobSkippedByAFilterCountsAsPassed) {
  PlanBuilder b;
  auto site = b.Add("site", "build-site");
  b.Add("publish", "publish", {site});
  HookedRun f;
  JobResult skipped;
  skipped.state = JobState::kSkipped;
  skipped.reason = "no relevant changes: 1 file changed, none match paths";
  f.hooks.before.emplace("site", std::optional<JobResult>(skipped));
  EXPECT_EQ(f.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(f.Scripts(), std::vector<std::string>{"publish"});
  EXPECT_EQ(f.rec.state("publish"), JobState::kSuccess);
}

TEST(SchedulerHooksTest, HookErrorsFailTheJobWithTheirMessage) {
  PlanBuilder b;
  auto a = b.Add("a", "a");
  b.Add("after-a", "x", {a});
  b.Add("b", "b");
  HookedRun f;
  f.hooks.before.emplace("a", Error{"restoring the artifacts of x: damaged store?"});
  f.hooks.after.emplace("b", Status(Error{"artifacts: 'dist/leak' is outside the workspace"}));
  EXPECT_EQ(f.Run(b.plan, /*keep_going=*/true).state, RunState::kFailed);
  EXPECT_EQ(f.rec.state("a"), JobState::kFailed);
  EXPECT_EQ(f.rec.results.at("a").reason, "restoring the artifacts of x: damaged store?");
  EXPECT_EQ(f.rec.state("after-a"), JobState::kSkipped);
  EXPECT_EQ(f.rec.state("b"), JobState::kFailed);  // it ran, but its artifacts were refused
  EXPECT_NE(f.rec.output["b"].find("outside the workspace"), std::string::npos);
}

TEST(SchedulerHooksTest, HooksAreNotAskedForJobsThatDoNotRun) {
  PlanBuilder b;
  b.Add("never", "x", {}, [](spec::Job& j) { j.if_expr = "false"; });
  HookedRun f;
  f.Run(b.plan);
  EXPECT_TRUE(f.hooks.asked.empty());
}

}  // namespace
}  // namespace gauntlet::exec
