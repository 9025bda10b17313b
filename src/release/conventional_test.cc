#include "release/conventional.h"

#include <gtest/gtest.h>

namespace gauntlet::release {
namespace {

ConventionalCommit P(const std::string& message, const std::string& id = "a1b2c3d4e5f6") {
  return ParseCommit({id, message});
}

TEST(Conventional, ReadsTheHeader) {
  auto c = P("feat(api): add the v2 routes\n\nbody\n");
  EXPECT_EQ(c.type, "feat");
  EXPECT_EQ(c.scope, "api");
  EXPECT_EQ(c.subject, "add the v2 routes");
  EXPECT_FALSE(c.breaking);
  EXPECT_EQ(P("Fix: typo").type, "fix");  // the type is case-insensitive
  auto bang = P("refactor(core)!: drop the old config");
  EXPECT_TRUE(bang.breaking);
  EXPECT_EQ(bang.scope, "core");
  EXPECT_TRUE(P("feat!: x").breaking);
}

TEST(Conventional, NonConventionalMessagesAskForNothing) {
  for (const char* m : {"update readme", "feat add x", "feat:no space", "(api): x", "feat(api: x"}) {
    auto c = P(m);
    EXPECT_EQ(c.type, "") << m;
    EXPECT_EQ(BumpOf(c), Bump::kNone) << m;
  }
  EXPECT_EQ(P("update readme").subject, "update readme");
}

TEST(Conventional, BreakingChangeFootersBothSpellings) {
  auto a = P("feat: x\n\nlong body\n\nBREAKING CHANGE: the config moved\n");
  EXPECT_TRUE(a.breaking);
  EXPECT_EQ(a.breaking_note, "the config moved");
  EXPECT_TRUE(P("fix: y\n\nBREAKING-CHANGE: gone\n").breaking);
  // Lower case is not the footer (the spec requires upper case), nor is it in the header.
  EXPECT_FALSE(P("fix: y\n\nbreaking change: gone\n").breaking);
  EXPECT_FALSE(P("fix: BREAKING CHANGE: in the subject").breaking);
}

TEST(Conventional, TrailersAndReleaseAs) {
  auto c = P("fix: z\n\nRelease-As: 2.0.0\nTask-ID: 42\nagent-by: claude \n");
  EXPECT_EQ(c.release_as, "2.0.0");
  EXPECT_EQ(c.task_id, "42");
  EXPECT_EQ(c.agent_by, "claude");
}

TEST(Conventional, BumpPerType) {
  EXPECT_EQ(BumpOf(P("feat: a")), Bump::kMinor);
  EXPECT_EQ(BumpOf(P("fix: a")), Bump::kPatch);
  EXPECT_EQ(BumpOf(P("perf: a")), Bump::kPatch);
  EXPECT_EQ(BumpOf(P("docs: a")), Bump::kNone);
  EXPECT_EQ(BumpOf(P("chore!: a")), Bump::kMajor);
  EXPECT_EQ(BumpOf(std::vector<ConventionalCommit>{P("docs: a"), P("fix: b"), P("feat: c")}),
            Bump::kMinor);
  EXPECT_EQ(BumpOf(std::vector<ConventionalCommit>{}), Bump::kNone);
}

TEST(Conventional, RevertCancelsWhatItReverts) {
  const std::string feat_id = "1111111111111111111111111111111111111111";
  auto feat = P("feat: risky", feat_id);
  auto revert = P("Revert \"feat: risky\"\n\nThis reverts commit " + feat_id + ".\n",
                  "2222222222222222222222222222222222222222");
  EXPECT_EQ(revert.type, "revert");
  EXPECT_EQ(revert.reverts, feat_id);
  auto fix = P("fix: keep", "3333333333333333333333333333333333333333");
  auto kept = CancelReverts({feat, fix, revert});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].subject, "keep");
  EXPECT_EQ(BumpOf(kept), Bump::kPatch);  // the feat is gone: no minor bump
  // `revert:` form with an abbreviated id cancels too.
  auto short_revert = P("revert: risky\n\nThis reverts commit 1111111.\n", "4444444");
  EXPECT_TRUE(CancelReverts({feat, short_revert}).empty());
}

TEST(Conventional, RevertOfAReleasedCommitIsAPatch) {
  auto revert = P("Revert \"feat: old\"\n\nThis reverts commit 9999999999.\n", "5555555");
  auto kept = CancelReverts({revert});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(BumpOf(kept), Bump::kPatch);
}

TEST(Conventional, RevertOfARevertKeepsTheOriginal) {
  auto feat = P("feat: back", "aaaaaaaaaa");
  auto r1 = P("Revert \"feat: back\"\n\nThis reverts commit aaaaaaaaaa.\n", "bbbbbbbbbb");
  auto r2 = P("Revert \"Revert ...\"\n\nThis reverts commit bbbbbbbbbb.\n", "cccccccccc");
  auto kept = CancelReverts({feat, r1, r2});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].id, "aaaaaaaaaa");
}

}  // namespace
}  // namespace gauntlet::release
