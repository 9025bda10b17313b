#include "insight/critical_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gauntlet::insight {
namespace {

using ::testing::ElementsAre;

// build (2) -> test (5) -> package (1), and build -> lint (3) -> package.
std::vector<PathNode> Diamond() { return {{2, {}}, {5, {0}}, {3, {0}}, {1, {1, 2}}}; }

TEST(InsightCriticalPath, LongestChainOfADiamond) {
  CriticalPath p = LongestPath(Diamond());
  EXPECT_EQ(p.length_ms, 8);  // 2 + 5 + 1
  EXPECT_THAT(p.jobs, ElementsAre(0, 1, 3));
}

TEST(InsightCriticalPath, ShrinkIsBoundedByTheNextLongestChain) {
  auto nodes = Diamond();
  // test -> 0: the chain through lint (2 + 3 + 1 = 6) becomes the longest: 8 - 6.
  EXPECT_EQ(ShrinkIf(nodes, 1, 0), 2);
  // test -> 2 (halved, rounded down): the path through it is 5, through lint 6: 8 - 6.
  EXPECT_EQ(ShrinkIf(nodes, 1, 2), 2);
  // test -> 4: 2 + 4 + 1 = 7 is still the longest.
  EXPECT_EQ(ShrinkIf(nodes, 1, 4), 1);
  // build and package are on every chain: their whole duration.
  EXPECT_EQ(ShrinkIf(nodes, 0, 0), 2);
  EXPECT_EQ(ShrinkIf(nodes, 3, 0), 1);
  // lint is not on the critical path: nothing.
  EXPECT_EQ(ShrinkIf(nodes, 2, 0), 0);
}

TEST(InsightCriticalPath, TiesGoToTheLowerIndex) {
  // Two chains of 4: a(1) -> b(3) and c(2) -> d(2); and d also needs a.
  std::vector<PathNode> nodes = {{1, {}}, {3, {0}}, {2, {}}, {2, {2, 0}}};
  CriticalPath p = LongestPath(nodes);
  EXPECT_EQ(p.length_ms, 4);
  EXPECT_THAT(p.jobs, ElementsAre(0, 1));  // b (index 1) ends first among equal maxima
  std::vector<PathNode> fan = {{0, {}}, {2, {}}, {2, {}}, {1, {2, 1}}};
  EXPECT_THAT(LongestPath(fan).jobs, ElementsAre(1, 3));  // need 1 before need 2
}

TEST(InsightCriticalPath, SmallAndMalformedPlans) {
  EXPECT_EQ(LongestPath({}).length_ms, 0);
  EXPECT_TRUE(LongestPath({}).jobs.empty());
  CriticalPath one = LongestPath({{7, {}}});
  EXPECT_EQ(one.length_ms, 7);
  EXPECT_THAT(one.jobs, ElementsAre(0));
  // A need that does not come earlier in the plan's order (or is out of range) is ignored.
  CriticalPath bad = LongestPath({{1, {1}}, {2, {5, -1}}});
  EXPECT_EQ(bad.length_ms, 2);
  EXPECT_THAT(bad.jobs, ElementsAre(1));
}

TEST(InsightCriticalPath, ParsesRecordedEdges) {
  auto needs = ParseNeeds("[[],[0],[0,1]]");
  ASSERT_EQ(needs.size(), 3u);
  EXPECT_TRUE(needs[0].empty());
  EXPECT_THAT(needs[2], ElementsAre(0, 1));
  EXPECT_TRUE(ParseNeeds("not json").empty());
  EXPECT_TRUE(ParseNeeds("").empty());
  auto odd = ParseNeeds("[[0, \"x\"], 3]");
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_THAT(odd[0], ElementsAre(0));
  EXPECT_TRUE(odd[1].empty());
}

}  // namespace
}  // namespace gauntlet::insight
