#include "release/next_version.h"

#include <gtest/gtest.h>

namespace gauntlet::release {
namespace {

Version V(const char* s) { return *ParseVersion(s); }

Analysis With(std::optional<const char*> last, std::vector<std::string> messages) {
  Analysis a;
  if (last) {
    a.last = TaggedVersion{std::string("v") + *last, "c0", V(*last)};
    if (a.last->version.stable()) a.last_stable = a.last;
    a.tagged.push_back(V(*last));
  }
  int n = 0;
  for (const auto& m : messages) a.commits.push_back(ParseCommit({"id" + std::to_string(n++), m}));
  a.commits_since_last = static_cast<int>(messages.size());
  return a;
}

std::string Next(const Analysis& a, BranchRule rule = {}, const std::string& as = "") {
  auto n = Decide(a, rule, as);
  if (!n.ok()) return "error: " + n.error().message;
  return n->releasable ? n->version.ToString() : "none: " + n->reason;
}

TEST(NextVersion, BumpsFromTheLastStableRelease) {
  EXPECT_EQ(Next(With("1.2.3", {"fix: a", "docs: b"})), "1.2.4");
  EXPECT_EQ(Next(With("1.2.3", {"fix: a", "feat: b"})), "1.3.0");
  EXPECT_EQ(Next(With("1.2.3", {"feat!: a"})), "2.0.0");
  EXPECT_EQ(Next(With("0.3.1", {"feat!: a"})), "0.4.0");  // breaking below 1.0.0: minor
  EXPECT_EQ(Next(With(std::nullopt, {"feat: first"})), "0.1.0");
}

TEST(NextVersion, NothingToRelease) {
  EXPECT_EQ(Next(With("1.0.0", {})), "none: no commits since v1.0.0");
  EXPECT_EQ(Next(With("1.0.0", {"docs: a", "chore: b"})),
            "none: no feat, fix, perf or breaking commit since v1.0.0 (2 commit(s) of other types)");
}

TEST(NextVersion, ReleaseAsWinsAndMustGoUp) {
  EXPECT_EQ(Next(With("1.2.3", {"fix: a\n\nRelease-As: 2.0.0\n", "docs: b"})), "2.0.0");
  EXPECT_EQ(Next(With("1.2.3", {"docs: only\n\nRelease-As: 1.5.0\n"})), "1.5.0");
  EXPECT_EQ(Next(With("1.2.3", {"fix: a"}), {}, "3.0.0"), "3.0.0");  // --as
  EXPECT_EQ(Next(With("1.2.3", {"fix: a\n\nRelease-As: 1.2.3\n"})),
            "error: Release-As 1.2.3 is not above the last release 1.2.3");
  EXPECT_NE(Next(With("1.2.3", {"fix: a\n\nRelease-As: two\n"})).find("error: Release-As:"),
            std::string::npos);
}

TEST(NextVersion, PrereleaseCountsRcs) {
  BranchRule rc{BranchKind::kPrerelease, "rc"};
  Analysis a = With("1.2.3", {"feat: a"});
  EXPECT_EQ(Next(a, rc), "1.3.0-rc.1");
  a.tagged.push_back(V("1.3.0-rc.1"));
  a.last = TaggedVersion{"v1.3.0-rc.1", "c1", V("1.3.0-rc.1")};
  EXPECT_EQ(Next(a, rc), "1.3.0-rc.2");
}

TEST(NextVersion, MaintenanceStaysInItsRange) {
  BranchRule one_x{BranchKind::kMaintenance, "", 1, -1};
  EXPECT_EQ(Next(With("1.4.0", {"feat: a"}), one_x), "1.5.0");
  EXPECT_NE(Next(With("1.4.0", {"feat!: a"}), one_x).find("cannot release 2.0.0"),
            std::string::npos);
  BranchRule one_four{BranchKind::kMaintenance, "", 1, 4};
  EXPECT_EQ(Next(With("1.4.0", {"fix: a"}), one_four), "1.4.1");
  EXPECT_NE(Next(With("1.4.0", {"feat: a"}), one_four).find("cannot release 1.5.0"),
            std::string::npos);
}

TEST(NextVersion, AnExistingTagIsNeverReused) {
  Analysis a = With("1.4.0", {"feat: a"});
  a.tagged.push_back(V("1.5.0"));  // made on main, not in this branch's history
  EXPECT_NE(Next(a).find("already tagged"), std::string::npos);
}

TEST(NextVersion, BranchRules) {
  spec::Release cfg;
  cfg.prerelease = {{"next", "beta"}};
  cfg.maintenance = {"1.x", "2.3.x"};
  EXPECT_EQ(RuleFor(cfg, "main")->kind, BranchKind::kRelease);
  EXPECT_EQ(RuleFor(cfg, "next")->channel, "beta");
  EXPECT_EQ(RuleFor(cfg, "1.x")->major, 1);
  EXPECT_EQ(RuleFor(cfg, "1.x")->minor, -1);
  EXPECT_EQ(RuleFor(cfg, "2.3.x")->minor, 3);
  auto bad = RuleFor(cfg, "feature/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("main, next (prerelease), 1.x (maintenance)"),
            std::string::npos);
}

}  // namespace
}  // namespace gauntlet::release
