#include "plan/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gauntlet::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// stages: build [build, lint] -> test [unit x2, needs build only via stage] -> deploy staging.
class GraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec::Job build, lint, unit;
    build.name = "build";
    lint.name = "lint \"quoted\"";
    unit.name = "unit";
    unit.matrix.axes = {{"python", {{"3.11"}, {"3.12"}}}};
    pipeline_.jobs = {build, lint, unit};
    spec::Stage s1, s2, s3;
    s1.name = "build";
    s1.jobs = {"build", "lint \"quoted\""};
    s2.name = "test";
    s2.jobs = {"unit"};
    s3.name = "ship";
    s3.environment = "staging";
    pipeline_.stages = {s1, s2, s3};
    plan_ = Build(pipeline_, &problems_);
    ASSERT_FALSE(problems_.has_errors());
  }

  spec::Pipeline pipeline_;
  spec::Problems problems_;
  Plan plan_;
};

TEST_F(GraphTest, TextListsLevelsAndMarksTheCriticalPath) {
  EXPECT_EQ(RenderText(plan_),
            "level 0\n"
            "  * build\n"
            "    lint \"quoted\"\n"
            "level 1\n"
            "  * unit (python=3.11)  <- build, lint \"quoted\"\n"
            "    unit (python=3.12)  <- build, lint \"quoted\"\n"
            "level 2\n"
            "  * deploy: staging  <- unit (python=3.11), unit (python=3.12)\n"
            "\n"
            "critical path (3 jobs): build -> unit (python=3.11) -> deploy: staging\n");
}

TEST_F(GraphTest, DotEscapesLabelsAndHighlightsCriticalPath) {
  std::string dot = RenderDot(plan_);
  EXPECT_THAT(dot, HasSubstr("digraph gauntlet {"));
  EXPECT_THAT(dot, HasSubstr("n1 [label=\"lint \\\"quoted\\\"\"];"));
  EXPECT_THAT(dot, HasSubstr("n0 [label=\"build\", color=red, fontcolor=red, penwidth=2];"));
  EXPECT_THAT(dot, HasSubstr("n4 [label=\"deploy: staging\", shape=hexagon"));
  EXPECT_THAT(dot, HasSubstr("n0 -> n2 [color=red, penwidth=2];"));
  EXPECT_THAT(dot, HasSubstr("n1 -> n2;"));
  EXPECT_THAT(dot, HasSubstr("n3 -> n4;"));
  EXPECT_THAT(dot, Not(HasSubstr("n3 -> n4 [")));
}

TEST_F(GraphTest, MermaidUsesSafeIdsAndLinkStyles) {
  std::string m = RenderMermaid(plan_);
  EXPECT_THAT(m, HasSubstr("flowchart LR\n"));
  EXPECT_THAT(m, HasSubstr("  n1[\"lint #quot;quoted#quot;\"]\n"));
  EXPECT_THAT(m, HasSubstr("  n2[\"unit (python=3.11)\"]\n"));
  EXPECT_THAT(m, HasSubstr("  n4{{\"deploy: staging\"}}\n"));
  // Edges in order: n0->n2 (0), n1->n2 (1), n0->n3 (2), n1->n3 (3), n2->n4 (4), n3->n4 (5).
  EXPECT_THAT(m, HasSubstr("  linkStyle 0,4 stroke:#d00"));
  EXPECT_THAT(m, HasSubstr("  class n0,n2,n4 critical\n"));
}

TEST_F(GraphTest, JsonListsNodesEdgesAndCriticalPath) {
  nlohmann::json j = GraphJson(plan_);
  ASSERT_EQ(j["nodes"].size(), 5u);
  EXPECT_EQ(j["nodes"][4]["kind"], "deploy");
  EXPECT_EQ(j["nodes"][4]["level"], 2);
  EXPECT_EQ(j["nodes"][0]["critical"], true);
  EXPECT_EQ(j["nodes"][1]["critical"], false);
  ASSERT_EQ(j["edges"].size(), 6u);
  EXPECT_EQ(j["edges"][0], (nlohmann::json{{"from", 0}, {"to", 2}, {"critical", true}}));
  EXPECT_EQ(j["critical_path"].size(), 3u);
}

TEST(GraphFormatTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseGraphFormat("dot"), GraphFormat::kDot);
  EXPECT_EQ(*ParseGraphFormat("mermaid"), GraphFormat::kMermaid);
  EXPECT_EQ(*ParseGraphFormat("text"), GraphFormat::kText);
  auto bad = ParseGraphFormat("svg");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("valid: text, dot, mermaid"));
}

TEST(GraphQuoteTest, EscapesEverythingThatWouldEndALabel) {
  EXPECT_EQ(DotQuote("a\\b\"c\nd"), "\"a\\\\b\\\"c\\nd\"");
  EXPECT_EQ(MermaidQuote("x <y> #1 \"z\""), "\"x #lt;y#gt; #35;1 #quot;z#quot;\"");
}

TEST(GraphEmptyTest, EmptyPlanRendersEmptyGraphs) {
  Plan plan;
  EXPECT_EQ(RenderText(plan), "");
  EXPECT_EQ(RenderMermaid(plan), "flowchart LR\n");
  EXPECT_THAT(RenderDot(plan), HasSubstr("}\n"));
}

}  // namespace
}  // namespace gauntlet::plan
