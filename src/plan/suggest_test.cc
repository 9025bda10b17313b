#include "plan/suggest.h"

#include <gtest/gtest.h>

namespace gauntlet::plan {
namespace {

TEST(SuggestTest, FindsTyposIncludingSwappedLetters) {
  std::vector<std::string_view> names = {"build", "test", "deploy"};
  EXPECT_EQ(ClosestName("biuld", names), "build");
  EXPECT_EQ(ClosestName("tset", names), "test");
  EXPECT_EQ(ClosestName("deploi", names), "deploy");
  EXPECT_EQ(DidYouMean("tests", names), "did you mean 'test'?");
}

TEST(SuggestTest, NothingCloseGivesEmpty) {
  std::vector<std::string_view> names = {"build", "test"};
  EXPECT_EQ(ClosestName("zzzzzz", names), "");
  EXPECT_EQ(DidYouMean("lint", names), "");
  EXPECT_EQ(ClosestName("x", {}), "");
}

}  // namespace
}  // namespace gauntlet::plan
