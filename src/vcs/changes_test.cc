#include "vcs/changes.h"

#include <git2.h>
#include <gtest/gtest.h>

#include "cache/change_filter.h"
#include "cache/test_dir.h"
#include "vcs/test_repo.h"

namespace gauntlet::vcs {
namespace {

using Files = std::vector<std::string>;

// Real repositories built with libgit2 in a temp dir.
class ChangesTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& content) { dir_.Write(rel, content); }
  void Remove(const std::string& rel) { git_.Remove(rel); }
  void Stage(const std::string& rel) { git_.Stage(rel); }
  std::string Commit(const std::string& message, bool parents = true) {
    return git_.Commit(message, "Ada", "ada@example.com", 1700000000, parents);
  }
  void Branch(const std::string& name) { git_.Branch(name); }

  ChangeSet Changes(const std::string& base = "") {
    auto r = ChangedFilesForRun(dir_.path(), base);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : ChangeSet{};
  }

  void BaseRepo() {
    Write("README.md", "readme");
    Write("src/a.cc", "a");
    Write("docs/guide.md", "guide");
    Commit("initial");
  }

  cache::TestDir dir_;
  TestRepo git_{dir_.path()};
  git_repository* repo_ = git_.repo();
  const spec::ChangeFilter docs_ignored_{{"**/*.md", "docs/**"}, {}};
};

TEST_F(ChangesTest, DocsOnlyCommitOnABranchIsSkipped) {
  BaseRepo();
  Branch("feature");
  Write("README.md", "better readme");
  Write("docs/new/page.txt", "page");
  Commit("docs");
  const ChangeSet c = Changes();
  EXPECT_TRUE(c.available);
  EXPECT_EQ(c.files, (Files{"README.md", "docs/new/page.txt"}));
  EXPECT_TRUE(c.uncommitted.empty());
  EXPECT_NE(c.how.find("merge-base of HEAD and main"), std::string::npos) << c.how;
  const auto d = cache::Decide(docs_ignored_, c);
  EXPECT_FALSE(d.run);
  EXPECT_EQ(d.reason, "no relevant changes: 2 files changed, all match ignore");
}

TEST_F(ChangesTest, ChangeInSrcRuns) {
  BaseRepo();
  Branch("feature");
  Write("docs/guide.md", "guide 2");
  Commit("docs");
  Write("src/a.cc", "a2");
  Commit("code");
  const ChangeSet c = Changes();
  EXPECT_EQ(c.files, (Files{"docs/guide.md", "src/a.cc"}));
  const auto d = cache::Decide(docs_ignored_, c);
  EXPECT_TRUE(d.run);
  EXPECT_EQ(d.relevant, (Files{"src/a.cc"}));
  EXPECT_NE(d.reason.find("src/a.cc"), std::string::npos) << d.reason;
}

TEST_F(ChangesTest, PathsFilter) {
  BaseRepo();
  Branch("feature");
  Write("docs/guide.md", "guide 2");
  Commit("docs");
  const spec::ChangeFilter src_only{{}, {"src/**"}};
  auto skip = cache::Decide(src_only, Changes());
  EXPECT_FALSE(skip.run);
  EXPECT_EQ(skip.reason, "no relevant changes: 1 file changed, none match paths");
  Write("src/b.cc", "b");
  Commit("code");
  EXPECT_TRUE(cache::Decide(src_only, Changes()).run);
}

TEST_F(ChangesTest, DirtyTreeCountsStagedUnstagedAndUntrackedButNotIgnored) {
  Write(".gitignore", "build/\n");
  BaseRepo();
  Branch("feature");
  Write("docs/guide.md", "guide 2");  // unstaged
  Write("src/staged.cc", "s");        // staged
  Stage("src/staged.cc");
  Write("src/deep/untracked.cc", "u");  // untracked, in an untracked directory
  Write("build/out.o", "ignored");
  const ChangeSet c = Changes();
  EXPECT_TRUE(c.committed.empty());  // a branch just made from main: nothing committed on it
  EXPECT_NE(c.how.find("no committed changes"), std::string::npos) << c.how;
  EXPECT_EQ(c.uncommitted, (Files{"docs/guide.md", "src/deep/untracked.cc", "src/staged.cc"}));
  EXPECT_EQ(c.files, c.uncommitted);
  EXPECT_TRUE(cache::Decide(docs_ignored_, c).run);
  Remove("src/deep/untracked.cc");
  Remove("src/staged.cc");
  Stage("src/staged.cc");  // staging the deletion leaves nothing in src/
  EXPECT_FALSE(cache::Decide(docs_ignored_, Changes()).run);
}

TEST_F(ChangesTest, WithinASubdirectoryPathsAreRelativeAndStateIsNotAChange) {
  Write("README.md", "readme");
  Write("app/src/a.cc", "a");
  Commit("initial");
  Branch("feature");
  Write("app/src/a.cc", "a2");
  Write("lib/b.cc", "b");                 // outside the pipeline's directory
  Write("app/.gauntlet/state.db", "db");  // gauntlet's own state, not gitignored
  Write(".gauntlet/state.db", "db");
  const ChangeSet whole = Changes();
  EXPECT_EQ(whole.files.size(), 4u);
  const ChangeSet app = Within(whole, (dir_ / "app"));
  EXPECT_EQ(app.files, (Files{"src/a.cc"}));
  EXPECT_EQ(app.uncommitted, (Files{"src/a.cc"}));
  const ChangeSet root = Within(whole, dir_.path());
  EXPECT_EQ(root.files, (Files{"app/.gauntlet/state.db", "app/src/a.cc", "lib/b.cc"}));
  EXPECT_FALSE(Within(ChangeSet{}, dir_.path()).available);
}

TEST_F(ChangesTest, FirstCommitCountsEverythingInIt) {
  BaseRepo();
  const ChangeSet c = Changes();
  EXPECT_EQ(c.files, (Files{"README.md", "docs/guide.md", "src/a.cc"}));
  EXPECT_TRUE(c.base.empty());
  EXPECT_NE(c.how.find("first commit"), std::string::npos) << c.how;
}

TEST_F(ChangesTest, OnTheDefaultBranchTheLastCommitCounts) {
  BaseRepo();
  Write("docs/guide.md", "guide 2");
  Commit("docs only");
  const ChangeSet c = Changes();
  EXPECT_EQ(c.files, (Files{"docs/guide.md"}));
  EXPECT_NE(c.how.find("the changes of the last commit"), std::string::npos) << c.how;
  EXPECT_FALSE(cache::Decide(docs_ignored_, c).run);
}

TEST_F(ChangesTest, NewBranchWithoutMergeBaseCountsAllFilesOfHead) {
  BaseRepo();
  ASSERT_EQ(git_repository_set_head(repo_, "refs/heads/orphan"), 0);  // unborn branch
  Remove("docs/guide.md");
  Write("other.txt", "o");
  Commit("orphan root", /*parents=*/false);
  const ChangeSet c = Changes();
  EXPECT_EQ(c.files, (Files{"README.md", "other.txt", "src/a.cc"}));
  EXPECT_NE(c.how.find("no merge-base with main"), std::string::npos) << c.how;
}

TEST_F(ChangesTest, ExplicitBase) {
  BaseRepo();
  const std::string first = Commit("noop");
  Branch("feature");
  Write("src/a.cc", "a2");
  Commit("code");
  Write("docs/guide.md", "guide 2");
  Commit("docs");
  EXPECT_EQ(Changes("main").files, (Files{"docs/guide.md", "src/a.cc"}));
  EXPECT_EQ(Changes("HEAD~1").files, (Files{"docs/guide.md"}));
  // HEAD == base: no committed changes, only the dirty ones.
  const ChangeSet same = Changes("HEAD");
  EXPECT_TRUE(same.files.empty());
  EXPECT_NE(same.how.find("is HEAD"), std::string::npos) << same.how;
  Write("src/dirty.cc", "d");
  EXPECT_EQ(Changes("HEAD").files, (Files{"src/dirty.cc"}));
  auto bad = ChangedFilesForRun(dir_.path(), "no-such-branch");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("no-such-branch"), std::string::npos);
}

TEST_F(ChangesTest, NoCommitYetCountsUncommittedFiles) {
  Write("src/a.cc", "a");
  const ChangeSet c = Changes();
  EXPECT_TRUE(c.available);
  EXPECT_TRUE(c.head.empty());
  EXPECT_EQ(c.files, (Files{"src/a.cc"}));
}

TEST(ChangesNoRepoTest, NotARepositoryNeverSkips) {
  cache::TestDir dir;
  auto c = ChangedFilesForRun(dir.path());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->available);
  const auto d = cache::Decide(spec::ChangeFilter{{"**"}, {}}, *c);
  EXPECT_TRUE(d.run);
  EXPECT_NE(d.reason.find("not a git repository"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace gauntlet::vcs
