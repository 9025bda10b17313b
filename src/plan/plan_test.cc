#include "plan/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gauntlet::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

spec::Job MakeJob(std::string name, std::vector<std::string> needs = {}, int line = 0) {
  spec::Job j;
  j.name = std::move(name);
  j.loc = {"p.yml", line, 3};
  int col = 10;
  for (auto& n : needs) j.needs.push_back({n, {"p.yml", line + 1, col++}});
  return j;
}

spec::Stage MakeStage(std::string name, std::vector<std::string> jobs) {
  spec::Stage s;
  s.name = std::move(name);
  s.jobs = std::move(jobs);
  return s;
}

std::vector<std::string> Names(const Plan& plan) {
  std::vector<std::string> out;
  for (const PlannedJob& j : plan.jobs) out.push_back(j.name);
  return out;
}

std::vector<std::string> NeedNames(const Plan& plan, const std::string& name) {
  std::vector<std::string> out;
  for (const PlannedJob& j : plan.jobs)
    if (j.name == name)
      for (JobId n : j.needs) out.push_back(plan.jobs[n].name);
  return out;
}

TEST(PlanTest, JobsMapTopologicalOrderKeepsFileOrderAmongReadyJobs) {
  spec::Pipeline p;
  p.jobs = {MakeJob("test", {"build"}), MakeJob("lint"), MakeJob("build"), MakeJob("docs")};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  EXPECT_THAT(Names(plan), ElementsAre("lint", "build", "test", "docs"));
  for (const PlannedJob& j : plan.jobs) {
    EXPECT_EQ(plan.jobs[j.id].name, j.name);
    for (JobId n : j.needs) EXPECT_LT(n, j.id);
  }
  EXPECT_THAT(plan.jobs[0].dependents, IsEmpty());
  EXPECT_THAT(plan.jobs[1].dependents, ElementsAre(2));
}

TEST(PlanTest, NeedsOnMatrixJobMeansEveryCombination) {
  spec::Pipeline p;
  spec::Job unit = MakeJob("unit");
  unit.matrix.axes = {{"python", {{"3.11"}, {"3.12"}}}};
  p.jobs = {unit, MakeJob("report", {"unit"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  EXPECT_THAT(Names(plan), ElementsAre("unit (python=3.11)", "unit (python=3.12)", "report"));
  EXPECT_THAT(NeedNames(plan, "report"), ElementsAre("unit (python=3.11)", "unit (python=3.12)"));
  EXPECT_EQ(plan.jobs[0].base_name, "unit");
  ASSERT_EQ(plan.jobs[1].matrix.size(), 1u);
  EXPECT_EQ(plan.jobs[1].matrix[0].second.text, "3.12");
  EXPECT_THAT(plan.Find("unit"), ElementsAre(0, 1));
  EXPECT_THAT(plan.Find("unit (python=3.12)"), ElementsAre(1));
  EXPECT_THAT(plan.Find("nope"), IsEmpty());
}

TEST(PlanTest, NeedsMayNameOneConcreteMatrixJob) {
  spec::Pipeline p;
  spec::Job unit = MakeJob("unit");
  unit.matrix.axes = {{"python", {{"3.11"}, {"3.12"}}}};
  p.jobs = {unit, MakeJob("report", {"unit (python=3.12)"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  EXPECT_THAT(NeedNames(plan, "report"), ElementsAre("unit (python=3.12)"));
}

TEST(PlanTest, MatrixThatExpandsToNothingIsAnError) {
  spec::Pipeline p;
  spec::Job unit = MakeJob("unit");
  unit.matrix.axes = {{"os", {{"linux"}}}};
  unit.matrix.exclude = {{{"os", {"linux"}}}};
  unit.matrix.loc = {"p.yml", 7, 5};
  p.jobs = {unit};
  spec::Problems problems;
  Build(p, &problems);
  ASSERT_TRUE(problems.has_errors());
  EXPECT_EQ(problems.all()[0].loc.line, 7);
  EXPECT_THAT(problems.all()[0].message, HasSubstr("expands to no combination"));
}

TEST(PlanTest, ResolvesTimeoutShellAndDirectoryFromDefaults) {
  spec::Pipeline p;
  p.defaults.shell = "sh";
  p.defaults.timeout = std::chrono::minutes(10);
  p.defaults.working_directory = "src";
  spec::Job a = MakeJob("a");
  spec::Job b = MakeJob("b");
  b.shell = "python";
  b.timeout = std::chrono::seconds(30);
  b.working_directory = "tools";
  p.jobs = {a, b};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_EQ(plan.jobs[0].shell, "sh");
  EXPECT_EQ(plan.jobs[0].timeout, std::chrono::minutes(10));
  EXPECT_EQ(plan.jobs[0].working_directory, "src");
  EXPECT_EQ(plan.jobs[1].shell, "python");
  EXPECT_EQ(plan.jobs[1].timeout, std::chrono::seconds(30));
  EXPECT_EQ(plan.jobs[1].working_directory, "tools");
}

TEST(PlanTest, StagesOrderAfterThePreviousStageByDefault) {
  spec::Pipeline p;
  p.jobs = {MakeJob("b1"), MakeJob("b2"), MakeJob("t1"), MakeJob("t2")};
  p.stages = {MakeStage("build", {"b1", "b2"}), MakeStage("test", {"t1", "t2"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  EXPECT_THAT(NeedNames(plan, "t1"), ElementsAre("b1", "b2"));
  EXPECT_THAT(NeedNames(plan, "t2"), ElementsAre("b1", "b2"));
  EXPECT_THAT(NeedNames(plan, "b1"), IsEmpty());
  EXPECT_EQ(plan.jobs[2].stage, &p.stages[1]);
}

TEST(PlanTest, StageDependsOnSetOrEmpty) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a"), MakeJob("b"), MakeJob("c")};
  p.stages = {MakeStage("s1", {"a"}), MakeStage("s2", {"b"}), MakeStage("s3", {"c"})};
  p.stages[1].depends_on = std::vector<spec::Located>{};            // none
  p.stages[2].depends_on = std::vector<spec::Located>{{"s1", {}}};  // not s2
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  EXPECT_THAT(NeedNames(plan, "b"), IsEmpty());
  EXPECT_THAT(NeedNames(plan, "c"), ElementsAre("a"));
}

TEST(PlanTest, JobNeedsAndStageEdgesAreMergedWithoutDuplicates) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a"), MakeJob("b", {"a"})};
  p.stages = {MakeStage("s1", {"a"}), MakeStage("s2", {"b"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_THAT(NeedNames(plan, "b"), ElementsAre("a"));
  EXPECT_THAT(plan.jobs[0].dependents, ElementsAre(1));
}

TEST(PlanTest, DeployStageBecomesANodeThatLaterStagesWaitFor) {
  spec::Pipeline p;
  p.jobs = {MakeJob("build"), MakeJob("smoke"), MakeJob("other")};
  spec::Stage deploy = MakeStage("ship", {});
  deploy.environment = "staging";
  p.stages = {MakeStage("build", {"build"}), deploy, MakeStage("verify", {"smoke"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_FALSE(problems.has_errors());
  // Jobs no stage lists come after the staged ones.
  EXPECT_THAT(Names(plan), ElementsAre("build", "deploy: staging", "smoke", "other"));
  const PlannedJob& d = plan.jobs[1];
  EXPECT_EQ(d.kind, PlannedJob::Kind::kDeploy);
  EXPECT_EQ(d.base_name, "ship");
  EXPECT_EQ(d.spec, nullptr);
  EXPECT_EQ(d.stage, &p.stages[1]);
  EXPECT_THAT(NeedNames(plan, "deploy: staging"), ElementsAre("build"));
  EXPECT_THAT(NeedNames(plan, "smoke"), ElementsAre("deploy: staging"));
}

TEST(PlanTest, JobsMayJoinAStageByName) {
  spec::Pipeline p;
  spec::Job t = MakeJob("t");
  t.stage = "test";
  spec::Job lone = MakeJob("lone");
  p.jobs = {t, MakeJob("b"), lone};
  p.stages = {MakeStage("build", {"b"}), MakeStage("test", {})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_THAT(Names(plan), ElementsAre("b", "t", "lone"));
  EXPECT_THAT(NeedNames(plan, "t"), ElementsAre("b"));
  EXPECT_EQ(plan.jobs[1].stage, &p.stages[1]);
  EXPECT_EQ(plan.jobs[2].stage, nullptr);
}

TEST(PlanTest, EmptyNonDeployStagePassesOrderingThrough) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a"), MakeJob("c")};
  p.stages = {MakeStage("s1", {"a"}), MakeStage("empty", {}), MakeStage("s3", {"c"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_THAT(NeedNames(plan, "c"), ElementsAre("a"));
}

TEST(PlanTest, UnknownNeedIsReportedWithDidYouMean) {
  spec::Pipeline p;
  p.jobs = {MakeJob("build"), MakeJob("test", {"biuld"}, 4)};
  spec::Problems problems;
  Build(p, &problems);
  ASSERT_EQ(problems.all().size(), 1u);
  const spec::Problem& pr = problems.all()[0];
  EXPECT_EQ(pr.loc.line, 5);
  EXPECT_EQ(pr.loc.col, 10);
  EXPECT_THAT(pr.message, HasSubstr("unknown job 'biuld'"));
  EXPECT_EQ(pr.hint, "did you mean 'build'?");
}

TEST(PlanTest, UnknownStageInDependsOn) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a")};
  p.stages = {MakeStage("build", {}), MakeStage("s", {"a"})};
  p.stages[1].depends_on = std::vector<spec::Located>{{"biuld", {"p.yml", 9, 4}}};
  spec::Problems problems;
  Build(p, &problems);
  ASSERT_EQ(problems.all().size(), 1u);
  EXPECT_EQ(problems.all()[0].loc.line, 9);
  EXPECT_EQ(problems.all()[0].hint, "did you mean 'build'?");
}

TEST(PlanTest, CycleIsReportedAtTheFirstJobsNeedsEntry) {
  spec::Pipeline p;
  p.jobs = {MakeJob("setup"), MakeJob("a", {"c"}, 10), MakeJob("b", {"a"}, 20),
            MakeJob("c", {"b", "setup"}, 30), MakeJob("after", {"c"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  ASSERT_EQ(problems.all().size(), 1u);
  const spec::Problem& pr = problems.all()[0];
  EXPECT_EQ(pr.message, "dependency cycle: a -> c -> b -> a");
  EXPECT_EQ(pr.loc.line, 11);  // a's `needs: [c]`
  EXPECT_FALSE(pr.hint.empty());
  EXPECT_EQ(plan.jobs.size(), 5u);  // incomplete but every job is there
  EXPECT_THAT(plan.critical_path, IsEmpty());
}

TEST(PlanTest, SelfNeedAndTwoIndependentCyclesAreAllReported) {
  spec::Pipeline p;
  p.jobs = {MakeJob("x", {"x"}), MakeJob("a", {"b"}), MakeJob("b", {"a"})};
  spec::Problems problems;
  Build(p, &problems);
  ASSERT_EQ(problems.all().size(), 2u);
  EXPECT_EQ(problems.all()[0].message, "dependency cycle: x -> x");
  EXPECT_EQ(problems.all()[1].message, "dependency cycle: a -> b -> a");
}

TEST(PlanTest, CycleThroughStagesIsFound) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a"), MakeJob("b")};
  p.stages = {MakeStage("s1", {"a"}), MakeStage("s2", {"b"})};
  p.stages[0].depends_on = std::vector<spec::Located>{{"s2", {"p.yml", 3, 9}}};
  spec::Problems problems;
  Build(p, &problems);
  ASSERT_EQ(problems.all().size(), 1u);
  EXPECT_EQ(problems.all()[0].message, "dependency cycle: a -> b -> a");
  EXPECT_EQ(problems.all()[0].loc.line, 3);
}

TEST(PlanTest, CriticalPathIsTheLongestChain) {
  spec::Pipeline p;
  p.jobs = {MakeJob("a"), MakeJob("b", {"a"}), MakeJob("c", {"b"}), MakeJob("d", {"a"}),
            MakeJob("e", {"d", "c"})};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  std::vector<std::string> path;
  for (JobId id : plan.critical_path) path.push_back(plan.jobs[id].name);
  EXPECT_THAT(path, ElementsAre("a", "b", "c", "e"));
}

TEST(PlanTest, EmptyPipelineGivesEmptyPlan) {
  spec::Pipeline p;
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_THAT(plan.jobs, IsEmpty());
  EXPECT_THAT(plan.critical_path, IsEmpty());
  EXPECT_EQ(plan.pipeline, &p);
}

}  // namespace
}  // namespace gauntlet::plan

namespace gauntlet::plan {
namespace {

// A matrix with a strategy becomes a group of its combinations, in plan order, with a
// continue_on_error of each combination's own.
TEST(PlanGroupTest, AMatrixWithAStrategyIsAGroupOfItsCombinations) {
  spec::Pipeline p;
  spec::Job first = MakeJob("first");
  spec::Job legs = MakeJob("legs", {"first"});
  legs.matrix.axes = {{"v", {{"1"}, {"2"}, {"3"}}}};
  legs.max_parallel = 2;
  legs.fail_fast = true;
  legs.continue_on_error_expr = "${{ matrix.v == '2' }}";
  spec::Job plain = MakeJob("plain");
  plain.matrix.axes = {{"v", {{"1"}}}};  // no limit, no fail-fast: no group
  p.jobs = {first, legs, plain};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  ASSERT_FALSE(problems.has_errors()) << problems.Format("");
  ASSERT_EQ(plan.groups.size(), 1u);
  const JobGroup& g = plan.groups[0];
  EXPECT_EQ(g.name, "legs");
  EXPECT_EQ(g.max_parallel, 2);
  EXPECT_TRUE(g.fail_fast);
  std::vector<std::string> names;
  std::vector<bool> tolerated;
  for (JobId id : g.jobs) {
    names.push_back(plan.jobs[id].name);
    tolerated.push_back(plan.jobs[id].continue_on_error);
    EXPECT_EQ(plan.jobs[id].group, 0);
  }
  EXPECT_THAT(names, ElementsAre("legs (v=1)", "legs (v=2)", "legs (v=3)"));
  EXPECT_THAT(tolerated, ElementsAre(false, true, false));
  for (const PlannedJob& j : plan.jobs) {
    if (j.base_name != "legs") {
      EXPECT_EQ(j.group, -1) << j.name;
    }
  }
}

}  // namespace
}  // namespace gauntlet::plan
