#include "spec/workflow_script.h"

#include <gtest/gtest.h>

#include "spec/workflow_call.h"
#include "spec/workflow_context.h"

namespace gauntlet::spec {
namespace {

std::pair<std::string, std::string> Variants(const std::string& text) {
  Expr expr;
  ExprError error;
  EXPECT_TRUE(Expr::Parse(text, &expr, &error)) << error.message;
  std::pair<std::string, std::string> out;
  WorkflowStatusVariants(expr, &out.first, &out.second);
  return out;
}

TEST(WorkflowScriptTest, StatusFunctionsBecomeWhatTheEarlierStepsDid) {
  EXPECT_EQ(Variants("failure()"), (std::pair<std::string, std::string>{"false", "true"}));
  EXPECT_EQ(Variants("always()"), (std::pair<std::string, std::string>{"true", "true"}));
  EXPECT_EQ(Variants("Success( ) && matrix.os == 'x'"),
            (std::pair<std::string, std::string>{"true && matrix.os == 'x'",
                                                 "false && matrix.os == 'x'"}));
  EXPECT_EQ(Variants("!cancelled() || failure()"),
            (std::pair<std::string, std::string>{"!false || false", "!false || true"}));
  // Without a status function: success() && (...), so nothing runs after a failure.
  EXPECT_EQ(Variants("github.ref == 'main'"),
            (std::pair<std::string, std::string>{"github.ref == 'main'", ""}));
}

Expr ParsedForSteps(const std::string& text) {
  Expr expr;
  ExprError error;
  EXPECT_TRUE(Expr::Parse(text, &expr, &error)) << error.message;
  return expr;
}

// A whole reference goes through a placeholder; anything larger waits for the step.
TEST(WorkflowScriptTest, WhichStepExpressionsAreWholeReferences) {
  EXPECT_TRUE(IsWholeStepReference(ParsedForSteps("steps.a.outputs.b")));
  EXPECT_TRUE(IsWholeStepReference(ParsedForSteps(" steps.a.outcome ")));
  EXPECT_TRUE(IsWholeStepReference(ParsedForSteps("steps.a.conclusion")));
  EXPECT_FALSE(IsWholeStepReference(ParsedForSteps("steps.a.outputs")));
  EXPECT_FALSE(IsWholeStepReference(ParsedForSteps("steps.a.result")));
  EXPECT_FALSE(IsWholeStepReference(ParsedForSteps("format('{0}', steps.a.outputs.b)")));
  EXPECT_FALSE(IsWholeStepReference(ParsedForSteps("steps.a.outcome == 'failure'")));
  EXPECT_TRUE(ReadsSteps(ParsedForSteps("steps.a.outcome == 'failure'")));
  EXPECT_TRUE(ReadsSteps(ParsedForSteps("toJSON(steps)")));
  EXPECT_FALSE(ReadsSteps(ParsedForSteps("github.ref == 'steps'")));
}

// Only a job whose steps wait for an expression writes the contexts and calls back, and
// a step's condition and values are one call (one process per step, not per expression).
TEST(WorkflowScriptTest, AStepIfReadingStepsIsDecidedWhenTheStepIsReached) {
  WorkflowStep a, b;
  a.id = "a";
  a.run = "echo a";
  b.run = "echo ${{ steps.a.outputs.x }}";
  std::string plain = WorkflowJobScript("j", {a, b}, {});
  EXPECT_EQ(plain.find("contexts.json\"\n"), std::string::npos);
  EXPECT_EQ(plain.find("|| __gh_step"), std::string::npos);
  b.if_ok = "steps.a.outcome == 'success'";
  b.run = "echo ${{ format('<{0}>', steps.a.outputs.x) }} ${{ toJSON(steps.a) }}";
  std::string deferred = WorkflowJobScript("j", {a, b}, {});
  EXPECT_NE(deferred.find("contexts.json\"\n"), std::string::npos);
  EXPECT_NE(deferred.find(R"(__gh_run=c __gh_c='steps.a.outcome == '\''success'\''')"),
            std::string::npos)
      << deferred;
  const std::string call =
      R"([ "$__gh_run" = 0 ] || __gh_step e0 ' format('\''<{0}>'\'', steps.a.outputs.x) ')"
      R"( e1 ' toJSON(steps.a) ')";
  EXPECT_NE(deferred.find(call + "\n"), std::string::npos) << deferred;
  EXPECT_EQ(deferred.find("__gh_step ", deferred.find(call) + call.size()), std::string::npos);
  EXPECT_NE(deferred.find("echo ${{ steps.__gh.outputs.e0 }} ${{ steps.__gh.outputs.e1 }}"),
            std::string::npos);
}

TEST(WorkflowScriptTest, KnownShells) {
  EXPECT_TRUE(KnownStepShell("bash"));
  EXPECT_TRUE(KnownStepShell("python"));
  EXPECT_TRUE(KnownStepShell("perl {0}"));
  EXPECT_FALSE(KnownStepShell("pwsh"));
  EXPECT_FALSE(KnownStepShell("cmd"));
}

TEST(WorkflowContextTest, GithubContextFromAPullRequestEvent) {
  nlohmann::json event = {
      {"name", "pull_request"},
      {"ref", ""},
      {"sha", ""},
      {"payload",
       {{"number", 7},
        {"pull_request", {{"head", {{"ref", "feature"}, {"sha", "abc"}}}, {"base", {{"ref", "main"}}}}},
        {"repository", {{"full_name", "o/r"}}}}}};
  WorkflowRunFacts facts;
  facts.event = &event;
  facts.branch = "feature";
  facts.job = "test";
  facts.job_index = 1;
  facts.job_total = 2;
  nlohmann::json c = nlohmann::json::object();
  AddWorkflowContexts(facts, &c);
  EXPECT_EQ(c["github"]["event_name"], "pull_request");
  EXPECT_EQ(c["github"]["ref"], "refs/pull/7/merge");
  EXPECT_EQ(c["github"]["head_ref"], "feature");
  EXPECT_EQ(c["github"]["base_ref"], "main");
  EXPECT_EQ(c["github"]["sha"], "abc");
  EXPECT_EQ(c["github"]["repository"], "o/r");
  EXPECT_EQ(c["github"]["event"]["number"], 7);
  EXPECT_EQ(c["strategy"]["job-index"], 1);
  EXPECT_EQ(c["runner"]["os"], "Linux");
}

TEST(WorkflowContextTest, AManualRunIsWorkflowDispatchOnItsBranch) {
  nlohmann::json event = {{"name", "manual"}, {"inputs", {{"level", "full"}}}};
  WorkflowRunFacts facts;
  facts.event = &event;
  facts.branch = "main";
  nlohmann::json c = nlohmann::json::object();
  AddWorkflowContexts(facts, &c);
  EXPECT_EQ(c["github"]["event_name"], "workflow_dispatch");
  EXPECT_EQ(c["github"]["ref"], "refs/heads/main");
  EXPECT_EQ(c["github"]["ref_name"], "main");
  EXPECT_EQ(c["github"]["ref_type"], "branch");
  EXPECT_EQ(c["inputs"]["level"], "full");
  EXPECT_EQ(c["github"]["event"]["inputs"]["level"], "full");
}

// A called workflow's job reads needs.<id> by the names its file gives; whole " / "
// segments only ("deploy / b" is not "deploy / build" without its prefix).
TEST(WorkflowCallTest, NeedsKeysLeaveOutTheSharedPrefix) {
  EXPECT_EQ(NeedsKey("deploy / build", "deploy / "), "build");
  EXPECT_EQ(NeedsKey("lint", "deploy / "), "lint");
  EXPECT_EQ(NeedsKey("deploy / inner / k", "deploy / inner / "), "k");
  EXPECT_EQ(NeedsKey("deploy / z", "deploy / inner / "), "z");
  EXPECT_EQ(NeedsKey("deployx / build", "deploy / "), "deployx / build");
  EXPECT_EQ(NeedsKey("deploy / build", ""), "deploy / build");
}

// Outermost call first; a whole ${{ }} keeps its type, a boolean input's "true" is true;
// without inherit, the run's secrets are not passed.
TEST(WorkflowCallTest, InputsAndSecretsComeFromTheCalls) {
  WorkflowCall outer, inner;
  outer.inputs = {{"level", "${{ needs.a.outputs.v }}", "string"},
                  {"n", "${{ 2 }}", "number"},
                  {"flag", "true", "boolean"},
                  {"text", "v-${{ github.ref }}", "string"}};
  outer.secrets = {{"token", "${{ secrets.DEPLOY }}"}};
  inner.inputs = {{"copied", "${{ inputs.level }}/${{ inputs.n }}", "string"}};
  inner.inherit_secrets = true;
  nlohmann::json c = {{"needs", {{"a", {{"outputs", {{"v", "full"}}}}}}},
                      {"github", {{"ref", "refs/heads/main"}}},
                      {"inputs", {{"level", "from-dispatch"}}},
                      {"secrets", {{"DEPLOY", "s3cret"}, {"OTHER", "x"}}}};
  nlohmann::json once = c;
  ASSERT_TRUE(ApplyWorkflowCalls({outer}, &once).ok());
  EXPECT_EQ(once["inputs"], (nlohmann::json{{"level", "full"}, {"n", 2}, {"flag", true},
                                            {"text", "v-refs/heads/main"}}));
  EXPECT_EQ(once["secrets"], (nlohmann::json{{"token", "s3cret"}}));
  ASSERT_TRUE(ApplyWorkflowCalls({outer, inner}, &c).ok());
  EXPECT_EQ(c["inputs"], (nlohmann::json{{"copied", "full/2"}}));
  EXPECT_EQ(c["secrets"], (nlohmann::json{{"token", "s3cret"}}));
  WorkflowCall bad;
  bad.inputs = {{"x", "${{ fromJSON('{') }}", "string"}};
  EXPECT_FALSE(ApplyWorkflowCalls({bad}, &c).ok());
}

}  // namespace
}  // namespace gauntlet::spec
