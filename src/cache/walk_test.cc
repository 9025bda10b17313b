#include "cache/walk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/test_dir.h"

namespace gauntlet::cache {
namespace {

std::vector<std::string> Paths(const TestDir& dir, const std::vector<std::string>& patterns) {
  auto globs = GlobSet::Compile(patterns);
  EXPECT_TRUE(globs.ok());
  auto entries = Walk(dir.path(), *globs);
  EXPECT_TRUE(entries.ok()) << entries.error().message;
  std::vector<std::string> out;
  for (const auto& e : *entries) {
    if (e.matched) out.push_back(e.path);
  }
  return out;
}

TEST(WalkTest, ExpandsGlobsSortedAndSkipsGitAndGauntlet) {
  TestDir dir;
  dir.Write("README.md", "r");
  dir.Write("src/b.cc", "b");
  dir.Write("src/a.cc", "a");
  dir.Write("src/deep/x/c.cc", "c");
  dir.Write("src/deep/x/c.h", "h");
  dir.Write("docs/guide.md", "g");
  dir.Write(".git/config.cc", "no");
  dir.Write(".gauntlet/state.cc", "no");
  dir.Write("sub/.git/HEAD.cc", "no");
  dir.Write("wt/.git", "gitdir: /elsewhere");
  EXPECT_EQ(Paths(dir, {"**/*.cc"}),
            (std::vector<std::string>{"src/a.cc", "src/b.cc", "src/deep/x/c.cc"}));
  EXPECT_EQ(Paths(dir, {"**/*.md"}), (std::vector<std::string>{"README.md", "docs/guide.md"}));
  EXPECT_EQ(Paths(dir, {"src/**", "!**/*.h"}),
            (std::vector<std::string>{"src/a.cc", "src/b.cc", "src/deep/x/c.cc"}));
  EXPECT_TRUE(Paths(dir, {"nothing/**"}).empty());
  EXPECT_TRUE(Paths(dir, {"wt/**"}).empty());
}

TEST(WalkTest, ReportsSymlinksWithoutFollowingThem) {
  TestDir dir;
  dir.Write("src/a.cc", "a");
  ASSERT_EQ(::symlink("/etc", (dir / "src/etc").c_str()), 0);
  ASSERT_EQ(::symlink("a.cc", (dir / "src/link.cc").c_str()), 0);
  auto globs = GlobSet::Compile({"src/**"});
  ASSERT_TRUE(globs.ok());
  auto entries = Walk(dir.path(), *globs);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[1].path, "src/etc");
  EXPECT_EQ((*entries)[1].kind, WalkEntry::Kind::kSymlink);
  EXPECT_EQ((*entries)[1].link_target, "/etc");
  EXPECT_EQ((*entries)[2].link_target, "a.cc");
  // Not descended into: nothing from /etc shows up.
  for (const auto& e : *entries) EXPECT_FALSE(e.path.starts_with("src/etc/"));

  // A symlinked directory under which the globs could match is reported, unmatched.
  auto deep = GlobSet::Compile({"src/etc/*.conf"});
  ASSERT_TRUE(deep.ok());
  auto under = Walk(dir.path(), *deep);
  ASSERT_TRUE(under.ok());
  ASSERT_EQ(under->size(), 1u);
  EXPECT_FALSE((*under)[0].matched);
}

TEST(WalkTest, PrunesDirectoriesThatCannotMatch) {
  TestDir dir;
  dir.Write("src/a.cc", "a");
  dir.Write("src/sub/b.cc", "b");
  for (int i = 0; i < 20; ++i) dir.Write("vendor/d" + std::to_string(i) + "/x.cc", "x");
  auto globs = GlobSet::Compile({"src/**"});
  ASSERT_TRUE(globs.ok());
  WalkStats stats;
  auto r = Walk(dir.path(), *globs, &stats);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(stats.dirs_opened, 2u);  // src, src/sub: neither the root's listing nor vendor/
  auto all = GlobSet::Compile({"**/*.cc"});
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(Walk(dir.path(), *all, &stats).ok());
  EXPECT_EQ(stats.dirs_opened, 1u + 2u + 1u + 20u);  // "**": from the root
}

TEST(WalkTest, StartsFromTheLiteralDirectoriesAsTheRootWalkWould) {
  TestDir dir;
  dir.Write("in/a", "a");
  for (int i = 0; i < 50; ++i) dir.Write("out" + std::to_string(i) + ".o", "x");  // untracked
  dir.Write(".git/in/x", "git's");
  ASSERT_EQ(::symlink("in", (dir / "link").c_str()), 0);
  auto walk = [&](std::vector<std::string> patterns) {
    auto globs = GlobSet::Compile(patterns);
    EXPECT_TRUE(globs.ok());
    auto r = Walk(dir.path(), *globs);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> paths;
    for (const auto& e : *r) paths.push_back(e.path + (e.matched ? "" : " (unmatched)"));
    return paths;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(walk({"in/**"}), V{"in/a"});
  EXPECT_EQ(walk({"missing/**", "in/**"}), V{"in/a"});
  EXPECT_EQ(walk({".git/in/**"}), V{}) << "skipped at any depth, as before";
  // Through a symlink: the walk from the root reports it, unmatched, as it always did.
  EXPECT_EQ(walk({"link/**"}), V{"link (unmatched)"});
  EXPECT_EQ(walk({"in/a/**"}), V{}) << "a file on the way";
}

TEST(WalkTest, MissingRootIsAnError) {
  auto globs = GlobSet::Compile({"**"});
  ASSERT_TRUE(globs.ok());
  auto r = Walk("/nonexistent/gauntlet-root", *globs);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/gauntlet-root"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::cache
