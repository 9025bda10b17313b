#include "spec/workflow_script.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gauntlet::spec
