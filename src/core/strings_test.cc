#include "core/strings.h"

#include <gtest/gtest.h>

namespace gauntlet {
namespace {

TEST(StringsTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("need", "needs"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("bulid", "build"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
}

TEST(StringsTest, DidYouMeanPicksClosePlausibleCandidate) {
  std::vector<std::string> keys = {"name", "needs", "run", "commands", "environment"};
  EXPECT_EQ(DidYouMean("need", keys), "needs");
  EXPECT_EQ(DidYouMean("comands", keys), "commands");
  EXPECT_EQ(DidYouMean("enviroment", keys), "environment");
  EXPECT_EQ(DidYouMean("NAME", keys), "name");
  EXPECT_EQ(DidYouMean("biuld", {"build", "test"}), "build");
  EXPECT_EQ(DidYouMean("zzzzzz", keys), "");
  EXPECT_EQ(DidYouMean("x", {}), "");
}

TEST(StringsTest, JoinComma) {
  EXPECT_EQ(JoinComma({}), "");
  EXPECT_EQ(JoinComma({"a", "b"}), "a, b");
}

}  // namespace
}  // namespace gauntlet
