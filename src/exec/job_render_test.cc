// What a job's process is given when its `${{ }}` read values from outside the
// pipeline file: references to variables, never the text (docs/expressions.md).
#include "exec/job_render.h"

#include <gtest/gtest.h>

#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using testing::PlanBuilder;

constexpr const char* kHostile = "x$(touch${IFS}/tmp/p)`id`'\"";

// The hostile value is the branch; HOME is gauntlet's own environment.
struct RenderRun : testing::FakeRun {
  RunResult Go(const plan::Plan& plan, SchedulerOptions o = {}) {
    o.base_env = std::vector<std::string>{"HOME=/home/me"};
    o.branch = kHostile;
    return Run(plan, std::move(o));
  }
};

JobResult Succeeded(Outputs outputs) {
  JobResult r;
  r.state = JobState::kSuccess;
  r.outputs = std::move(outputs);
  return r;
}

TEST(JobRenderTest, OutsideValuesReachTheScriptAsVariables) {
  PlanBuilder b;
  auto a = b.Add("a", "ok");
  b.Add("b", "echo ${{ needs.a.outputs.v }} \"${{ branch }}\" '${{ needs.a.result }}'", {a});
  RenderRun r;
  SchedulerOptions o;
  o.previous = {{a, Succeeded({{"v", "$(touch /tmp/p)"}})}};
  r.Go(b.plan, o);
  ASSERT_EQ(r.runner.started().size(), 1u);
  EXPECT_EQ(r.Of(0).script,
            "echo \"${GAUNTLET_EXPR_1}\" \"${GAUNTLET_EXPR_2}\" ''\"${GAUNTLET_EXPR_3}\"''");
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_1"), "$(touch /tmp/p)");
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_2"), kHostile);
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_3"), "success");
}

TEST(JobRenderTest, ValuesFromThePipelineFileArePasted) {
  PlanBuilder b;
  b.pipeline.env = {{"TOOL", "make -j4"}};
  auto id = b.Add("a", "${{ env.TOOL }} ${{ matrix.target }} ${{ format('{0}', 'x') }}");
  b.plan.jobs[id].matrix = {{"target", spec::MatrixValue{"all", spec::MatrixValue::Kind::kString}}};
  RenderRun r;
  r.Go(b.plan);
  EXPECT_EQ(r.Of(0).script, "make -j4 all x");
  EXPECT_EQ(r.Of(0).env.count("GAUNTLET_EXPR_1"), 0u);
}

TEST(JobRenderTest, EnvValuesAreRenderedAndCarryTheirOrigin) {
  PlanBuilder b;
  b.pipeline.env = {{"FROM_BRANCH", "b-${{ branch }}"}};
  b.Add("a", "echo ${{ env.FROM_BRANCH }} ${{ env.PLAIN }}", {}, [](spec::Job& j) {
    j.env = {{"PLAIN", "p-${{ matrix.nothing }}x"}};
  });
  RenderRun r;
  r.Go(b.plan);
  // An env value is set as a variable as it is (no shell reads it)...
  EXPECT_EQ(r.Of(0).env.at("FROM_BRANCH"), std::string("b-") + kHostile);
  EXPECT_EQ(r.Of(0).env.at("PLAIN"), "p-x");
  // ...and reading it in a script follows where it came from.
  EXPECT_EQ(r.Of(0).script, "echo \"${GAUNTLET_EXPR_1}\" p-x");
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_1"), std::string("b-") + kHostile);
}

// `env` holds gauntlet's own environment under the file's: its values are from outside.
TEST(JobRenderTest, GauntletsOwnEnvironmentIsReadAsData) {
  PlanBuilder b;
  b.pipeline.env = {{"GREETING", "hi ${{ env.HOME }}"}};
  b.Add("a", "echo ${{ env.HOME }} ${{ env.GREETING }} ${{ env.NOBODY_SET_THIS }}.");
  RenderRun r;
  r.Go(b.plan);
  EXPECT_EQ(r.Of(0).script, "echo \"${GAUNTLET_EXPR_1}\" \"${GAUNTLET_EXPR_2}\" .");
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_1"), "/home/me");
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_2"), "hi /home/me");
  EXPECT_EQ(r.Of(0).env.at("GREETING"), "hi /home/me");
}

TEST(JobRenderTest, SecretsNeverReachTheCommandLine) {
  PlanBuilder b;
  b.Add("a", "curl -H \"Authorization: ${{ secrets.TOKEN }}\" x");
  RenderRun r;
  SchedulerOptions o;
  o.secrets = {{"TOKEN", "t0ps3cret"}};
  r.Go(b.plan, o);
  EXPECT_EQ(r.Of(0).script.find("t0ps3cret"), std::string::npos) << r.Of(0).script;
  EXPECT_EQ(r.Of(0).env.at("GAUNTLET_EXPR_1"), "t0ps3cret");
}

TEST(JobRenderTest, PlacesWithoutASafeReferenceFailTheJob) {
  PlanBuilder b;
  b.Add("heredoc", "cat <<'EOF'\n${{ branch }}\nEOF");
  auto py = b.Add("python", "print('${{ branch }}')");
  b.plan.jobs[py].shell = "python3";
  auto ok = b.Add("python-literal", "print('${{ matrix.x }}')");
  b.plan.jobs[ok].shell = "python3";
  RenderRun r;
  SchedulerOptions o;
  o.keep_going = true;
  r.Go(b.plan, o);
  EXPECT_EQ(r.rec.state("heredoc"), JobState::kFailed);
  EXPECT_NE(r.rec.results["heredoc"].reason.find("quoted delimiter"), std::string::npos)
      << r.rec.results["heredoc"].reason;
  EXPECT_EQ(r.rec.state("python"), JobState::kFailed);
  EXPECT_NE(r.rec.results["python"].reason.find("shell 'python3'"), std::string::npos);
  EXPECT_EQ(r.rec.state("python-literal"), JobState::kSuccess);
  // The hostile value is not in any reason either: only the expression is named.
  EXPECT_EQ(r.rec.results["heredoc"].reason.find("touch"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::exec
