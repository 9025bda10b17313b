#include "cache/change_filter.h"

#include <gtest/gtest.h>

namespace gauntlet::cache {
namespace {

using Files = std::vector<std::string>;

TEST(ChangeFilterTest, Decisions) {
  const spec::ChangeFilter none;
  EXPECT_TRUE(Decide(none, Files{}).run);

  const spec::ChangeFilter ignore{{"**/*.md", "docs/**", "!docs/api/**"}, {}};
  EXPECT_FALSE(Decide(ignore, Files{"README.md", "docs/x.png", "a/b.md"}).run);
  EXPECT_EQ(Decide(ignore, Files{"README.md", "docs/x.png", "a/b.md"}).reason,
            "no relevant changes: 3 files changed, all match ignore");
  auto reincluded = Decide(ignore, Files{"docs/api/spec.yaml"});
  EXPECT_TRUE(reincluded.run);
  EXPECT_EQ(reincluded.relevant, (Files{"docs/api/spec.yaml"}));

  const spec::ChangeFilter both{{"src/gen/**"}, {"src/**"}};
  EXPECT_FALSE(Decide(both, Files{"src/gen/x.cc", "README.md"}).run);
  EXPECT_TRUE(Decide(both, Files{"src/gen/x.cc", "src/a.cc"}).run);

  auto nothing = Decide(ignore, Files{});
  EXPECT_FALSE(nothing.run);
  EXPECT_EQ(nothing.reason, "no relevant changes: no files changed");

  auto many = Decide(spec::ChangeFilter{{}, {"**"}}, Files{"a", "b", "c", "d"});
  EXPECT_TRUE(many.run);
  EXPECT_EQ(many.reason, "4 files relevant of 4 files changed (a, b, c, ...)");
}

TEST(ChangeFilterTest, InvalidPatternRunsAndSaysWhy) {
  auto d = Decide(spec::ChangeFilter{{"[oops"}, {}}, Files{"a"});
  EXPECT_TRUE(d.run);
  EXPECT_NE(d.reason.find("[oops"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace gauntlet::cache
