#include "release/tag_format.h"

#include <gtest/gtest.h>

namespace gauntlet::release {
namespace {

TEST(TagFormat, FormatsAndMatchesBothWays) {
  Version v{1, 2, 0, {"rc", "1"}, ""};
  EXPECT_EQ(FormatTag("v{version}", v), "v1.2.0-rc.1");
  EXPECT_EQ(FormatTag("api@v{version}", v), "api@v1.2.0-rc.1");
  auto m = MatchTag("api@v{version}", "api@v1.2.0-rc.1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->ToString(), "1.2.0-rc.1");
  EXPECT_EQ(MatchTag("v{version}-final", "v2.0.0-final")->ToString(), "2.0.0");
}

TEST(TagFormat, OtherTagsDoNotMatch) {
  EXPECT_FALSE(MatchTag("v{version}", "api@v1.2.0"));  // another package's tag
  EXPECT_FALSE(MatchTag("api@v{version}", "web@v1.2.0"));
  EXPECT_FALSE(MatchTag("api@v{version}", "v1.2.0"));
  EXPECT_FALSE(MatchTag("v{version}", "v1.2"));       // not a version
  EXPECT_FALSE(MatchTag("v{version}", "v"));          // nothing in place of it
  EXPECT_FALSE(MatchTag("v{version}", "1.2.0"));      // prefix missing
  EXPECT_FALSE(MatchTag("v{version}", "release-1"));
}

TEST(TagFormat, ChecksTheFormat) {
  EXPECT_TRUE(CheckTagFormat("v{version}").ok());
  EXPECT_TRUE(CheckTagFormat("api@v{version}").ok());
  EXPECT_TRUE(CheckTagFormat("{version}").ok());
  for (const char* bad : {"v", "v{version}{version}", "v {version}", "v{version}~", "a..{version}",
                          "-{version}", "v:{version}"}) {
    auto s = CheckTagFormat(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
  }
}

}  // namespace
}  // namespace gauntlet::release
