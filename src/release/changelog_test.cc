#include "release/changelog.h"

#include <gtest/gtest.h>

namespace gauntlet::release {
namespace {

TEST(Changelog, GroupsInOrderWithShortIdsAndTrailers) {
  std::vector<ConventionalCommit> commits = {
      ParseCommit({"abcdef1234567", "perf: faster start"}),
      ParseCommit({"1234567abcdef", "fix(api): null check\n\nTask-ID: 42\nAgent-By: claude\n"}),
      ParseCommit({"fedcba9876543", "feat: exports"}),
      ParseCommit({"0123456789abc", "feat(cfg)!: new format\n\nBREAKING CHANGE: rename keys\n"}),
      ParseCommit({"9999999999999", "docs: not listed"}),
  };
  EXPECT_EQ(ChangelogSection("v2.0.0", "2026-12-07", commits),
            "## v2.0.0 (2026-12-07)\n"
            "\n### Breaking changes\n\n- **cfg:** rename keys (0123456)\n"
            "\n### Features\n\n- exports (fedcba9)\n"
            "\n### Fixes\n\n- **api:** null check (1234567; Task-ID: 42; Agent-By: claude)\n"
            "\n### Performance\n\n- faster start (abcdef1)\n");
}

TEST(Changelog, EmptyGroupsAreLeftOut) {
  auto s = ChangelogSection("v1.0.1", "2026-01-02", {ParseCommit({"aaaaaaaa", "fix: one"})});
  EXPECT_EQ(s, "## v1.0.1 (2026-01-02)\n\n### Fixes\n\n- one (aaaaaaa)\n");
}

TEST(Changelog, InsertsAboveEarlierReleasesOnce) {
  bool already = true;
  std::string text = InsertSection("", "v0.1.0", "## v0.1.0 (d)\n- a\n", &already);
  EXPECT_FALSE(already);
  EXPECT_EQ(text, "# Changelog\n\n## v0.1.0 (d)\n- a\n");
  text = InsertSection(text, "v0.2.0", "## v0.2.0 (d)\n- b\n", &already);
  EXPECT_FALSE(already);
  EXPECT_EQ(text, "# Changelog\n\n## v0.2.0 (d)\n- b\n\n## v0.1.0 (d)\n- a\n");
  // The same tag again (a resumed release): unchanged.
  EXPECT_EQ(InsertSection(text, "v0.2.0", "## v0.2.0 (d)\n- other\n", &already), text);
  EXPECT_TRUE(already);
  // A tag that only starts like an existing one is another release.
  InsertSection(text, "v0.2", "## v0.2 (d)\n", &already);
  EXPECT_FALSE(already);
}

}  // namespace
}  // namespace gauntlet::release
