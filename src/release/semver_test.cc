#include "release/semver.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace gauntlet::release {
namespace {

Version V(std::string_view s) {
  auto v = ParseVersion(s);
  EXPECT_TRUE(v.ok()) << s;
  return v.ok() ? *v : Version{};
}

TEST(Semver, ParsesAndPrintsBack) {
  for (const char* s : {"0.0.0", "1.2.3", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha.beta.7",
                        "2.0.0+build.5", "1.0.0-rc.1+sha.abc"})
    EXPECT_EQ(V(s).ToString(), s);
  EXPECT_EQ(V("1.2.3-rc.4").prerelease, (std::vector<std::string>{"rc", "4"}));
}

TEST(Semver, RejectsWhatIsNotAVersion) {
  for (const char* s : {"", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.x",
                        "1.2.3-", "1.2.3-rc..1", "1.2.3-rc.01", "1.2.3+", "-1.2.3",
                        "99999999999.0.0"}) {
    auto v = ParseVersion(s);
    ASSERT_FALSE(v.ok()) << s;
    EXPECT_EQ(v.error().kind, ErrorKind::kInvalid);
    EXPECT_NE(v.error().message.find("expected MAJOR.MINOR.PATCH"), std::string::npos);
  }
}

TEST(Semver, OrdersAsTheSpecSays) {
  // semver.org's own example, in increasing order.
  std::vector<std::string> want = {"1.0.0-alpha",      "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                   "1.0.0-beta",       "1.0.0-beta.2",  "1.0.0-beta.11",
                                   "1.0.0-rc.1",       "1.0.0",         "1.0.1",
                                   "1.1.0",            "1.10.0",        "2.0.0"};
  std::vector<Version> got;
  for (auto it = want.rbegin(); it != want.rend(); ++it) got.push_back(V(*it));
  std::sort(got.begin(), got.end());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i].ToString(), want[i]);
  EXPECT_EQ(Compare(V("1.0.0+a"), V("1.0.0+b")), 0);  // build metadata is ignored
  EXPECT_LT(Compare(V("1.0.0-rc.9"), V("1.0.0-rc.10")), 0);  // numerically, not as text
  EXPECT_GT(Compare(V("1.0.0-rc.10"), V("1.0.0-rc.9")), 0);
}

TEST(Semver, BumpRules) {
  EXPECT_EQ(Apply(V("1.2.3"), Bump::kNone).ToString(), "1.2.3");
  EXPECT_EQ(Apply(V("1.2.3"), Bump::kPatch).ToString(), "1.2.4");
  EXPECT_EQ(Apply(V("1.2.3"), Bump::kMinor).ToString(), "1.3.0");
  EXPECT_EQ(Apply(V("1.2.3"), Bump::kMajor).ToString(), "2.0.0");
  // Below 1.0.0 a breaking change is a minor bump; at 1.0.0 it is a major one again.
  EXPECT_EQ(Apply(V("0.4.2"), Bump::kMajor).ToString(), "0.5.0");
  EXPECT_EQ(Apply(V("0.0.0"), Bump::kMajor).ToString(), "0.1.0");
  EXPECT_EQ(Apply(V("1.0.0"), Bump::kMajor).ToString(), "2.0.0");
  EXPECT_EQ(Apply(V("0.9.9"), Bump::kPatch).ToString(), "0.9.10");
  EXPECT_EQ(Apply(V("1.2.0-rc.2"), Bump::kPatch).ToString(), "1.2.1");
}

TEST(Semver, PrereleaseCountsPerTargetAndChannel) {
  const Version target = V("1.3.0");
  EXPECT_EQ(NextPrerelease(target, "rc", {}).ToString(), "1.3.0-rc.1");
  EXPECT_EQ(NextPrerelease(target, "rc", {V("1.3.0-rc.1")}).ToString(), "1.3.0-rc.2");
  // Other targets, other channels and stable versions do not count; 10 follows 9.
  EXPECT_EQ(NextPrerelease(target, "rc",
                           {V("1.2.0-rc.7"), V("1.3.0-beta.4"), V("1.3.0"), V("1.3.0-rc.9")})
                .ToString(),
            "1.3.0-rc.10");
}

}  // namespace
}  // namespace gauntlet::release
