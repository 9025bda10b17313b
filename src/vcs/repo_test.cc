#include "vcs/repo.h"

#include <git2.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "vcs/test_repo.h"

namespace gauntlet::vcs {
namespace {

// Builds real repositories in a temp dir with libgit2 itself.
class RepoTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& content) { git_.Write(rel, content); }
  // Stages the whole work tree (additions, changes, deletions) and commits it on HEAD.
  std::string Commit(const std::string& message, int64_t time = 1700000000) {
    return git_.Commit(message, "Ada Lovelace", "ada@example.com", time);
  }

  TestRepo git_;
  const std::string dir_ = git_.dir();
  git_repository* repo_ = git_.repo();
};

TEST_F(RepoTest, HeadInfoReadsCommitAuthorSubjectAndTrailers) {
  Write("README.md", "hello\n");
  const std::string id = Commit(
      "Add the engine\n\nLonger explanation.\n\n"
      "Agent-By: claude\nTask-ID: 42\nModel: opus\n"
      "Co-authored-by: A <a@example.com>\nCo-authored-by: B <b@example.com>\n",
      1700000123);
  auto info = HeadInfo(dir_);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->commit, id);
  EXPECT_EQ(info->commit.size(), 40u);
  EXPECT_EQ(info->branch, "main");
  EXPECT_EQ(info->author_name, "Ada Lovelace");
  EXPECT_EQ(info->author_email, "ada@example.com");
  EXPECT_EQ(info->committer_time, 1700000123);
  EXPECT_EQ(info->subject, "Add the engine");
  EXPECT_NE(info->message.find("Longer explanation."), std::string::npos);
  using T = std::pair<std::string, std::string>;
  EXPECT_EQ(info->trailers, (std::vector<T>{{"Agent-By", "claude"},
                                            {"Task-ID", "42"},
                                            {"Model", "opus"},
                                            {"Co-authored-by", "A <a@example.com>"},
                                            {"Co-authored-by", "B <b@example.com>"}}));
  EXPECT_FALSE(*WorkTreeDirty(dir_));
  EXPECT_EQ(std::filesystem::path(info->workdir), std::filesystem::path(dir_ + "/"));
}

TEST_F(RepoTest, MessageWithoutTrailers) {
  Write("a", "1");
  Commit("Just a subject");
  auto info = HeadInfo(dir_);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->subject, "Just a subject");
  EXPECT_TRUE(info->trailers.empty());
}

TEST_F(RepoTest, DiscoversTheRepositoryFromASubdirectory) {
  Write("src/deep/file.txt", "x");
  const std::string id = Commit("init");
  auto info = HeadInfo(dir_ + "/src/deep");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->commit, id);
}

TEST_F(RepoTest, DirtyWhenATrackedFileChangesNotForUntrackedOnes) {
  Write("a.txt", "one\n");
  Commit("init");
  Write("new.txt", "untracked\n");
  auto dirty = WorkTreeDirty(dir_);
  ASSERT_TRUE(dirty.ok());
  EXPECT_FALSE(*dirty);
  Write("a.txt", "two, and longer\n");  // a size change: no racy-timestamp ambiguity
  dirty = WorkTreeDirty(dir_ + "/");
  ASSERT_TRUE(dirty.ok());
  EXPECT_TRUE(*dirty);
}

TEST_F(RepoTest, TrackedFilesAreTheIndexNotTheWorkTree) {
  Write("src/b.c", "b\n");
  Write("a.md", "a\n");
  Commit("init");
  Write("untracked.c", "u\n");
  Write("src/staged.c", "s\n");
  git_.Stage("src/staged.c");
  auto files = TrackedFiles(dir_ + "/src");
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(*files, (std::vector<std::string>{"a.md", "src/b.c", "src/staged.c"}));
  EXPECT_FALSE(TrackedFiles("/").ok());
}

TEST_F(RepoTest, DetachedHeadIsReportedAsHEAD) {
  Write("a", "1");
  const std::string first = Commit("first");
  Write("a", "2");
  Commit("second");
  git_oid oid;
  ASSERT_EQ(git_oid_fromstr(&oid, first.c_str()), 0);
  ASSERT_EQ(git_repository_set_head_detached(repo_, &oid), 0);
  auto info = HeadInfo(dir_);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->branch, "HEAD");
  EXPECT_EQ(info->commit, first);
  EXPECT_EQ(info->subject, "first");
}

TEST_F(RepoTest, RepositoryWithoutCommitsIsAnError) {
  auto info = HeadInfo(dir_);
  ASSERT_FALSE(info.ok());
  EXPECT_FALSE(IsNotARepository(info.error()));
  EXPECT_NE(info.error().message.find("no commits"), std::string::npos);
}

TEST(RepoStandaloneTest, NotARepositoryIsAClearError) {
  char tmpl[] = "/tmp/gauntlet-norepo-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  auto info = HeadInfo(tmpl);
  std::filesystem::remove_all(tmpl);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(IsNotARepository(info.error())) << info.error().message;
  EXPECT_FALSE(IsNotARepository(Error{"something else"}));
  auto changed = ChangedFiles("/nonexistent/dir", "a", "b");
  ASSERT_FALSE(changed.ok());
}

TEST_F(RepoTest, ChangedFilesListsEditsAdditionsDeletionsAndBothSidesOfRenames) {
  const std::string body(400, 'r');  // enough content for rename detection
  Write("keep.txt", "same\n");
  Write("edit.txt", "before\n");
  Write("old/name.txt", body);
  Write("gone.txt", "bye\n");
  const std::string base = Commit("base");
  Write("edit.txt", "after\n");
  std::filesystem::remove_all(dir_ + "/old");
  Write("new/name.txt", body);
  std::filesystem::remove(dir_ + "/gone.txt");
  Write("added.txt", "hi\n");
  Commit("change");

  auto changed = ChangedFiles(dir_, "HEAD~1", "HEAD");
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(*changed, (std::vector<std::string>{"added.txt", "edit.txt", "gone.txt", "new/name.txt",
                                                "old/name.txt"}));
  auto by_id = ChangedFiles(dir_, base, "main");
  ASSERT_TRUE(by_id.ok()) << by_id.error().message;
  EXPECT_EQ(*by_id, *changed);
  auto none = ChangedFiles(dir_, "main", "main");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto bad = ChangedFiles(dir_, "no-such-branch", "HEAD");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("no-such-branch"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::vcs
