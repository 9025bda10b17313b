#include "vcs/range.h"

#include <gtest/gtest.h>

#include "vcs/test_repo.h"

namespace gauntlet::vcs {
namespace {

Range Read(const TestRepo& repo, const std::string& base = "", const std::string& head = "") {
  auto r = ReadRange(repo.dir(), base, head);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : Range{};
}

TEST(RangeTest, BranchAgainstDefaultBranchListsItsCommitsAndLines) {
  TestRepo repo;
  repo.Write("src/a.c", "one\ntwo\nthree\n");
  repo.Write("README.md", "readme\n");
  std::string base = repo.Commit("initial");
  repo.Branch("feature");
  repo.Write("src/a.c", "one\nTWO\nthree\nfour\n");
  std::string c1 = repo.Commit("fix a", "Bot", "bot@example.com");
  repo.Remove("README.md");
  repo.Write("src/b.c", "b\n");
  std::string c2 = repo.Commit("add b\n\nAgent-By: coder\nTask-ID: T-7\nModel: m-1\n", "Bot",
                               "bot@example.com");

  Range r = Read(repo);
  EXPECT_EQ(r.base, base);
  EXPECT_EQ(r.head, c2);
  EXPECT_EQ(r.default_branch, "main");
  EXPECT_EQ(r.head_branch, "feature");
  ASSERT_EQ(r.commits.size(), 2u);
  EXPECT_EQ(r.commits[0].commit, c1);  // oldest first
  EXPECT_EQ(r.commits[1].subject, "add b");
  EXPECT_EQ(r.commits[1].author_email, "bot@example.com");
  ASSERT_EQ(r.commits[1].trailers.size(), 3u);
  EXPECT_EQ(r.commits[1].trailers[1].first, "Task-ID");
  EXPECT_EQ(r.commits[1].trailers[1].second, "T-7");

  ASSERT_EQ(r.files.size(), 3u);
  EXPECT_EQ(r.files[0].path, "README.md");  // deleted: listed under its old path
  EXPECT_EQ(r.files[0].deleted, 1);
  EXPECT_EQ(r.files[1].path, "src/a.c");
  EXPECT_EQ(r.files[1].added, 2);
  EXPECT_EQ(r.files[1].deleted, 1);
  EXPECT_EQ(r.files[1].added_lines, (std::set<int>{2, 4}));
  EXPECT_EQ(r.files[2].path, "src/b.c");
  EXPECT_EQ(r.files[2].added_lines, (std::set<int>{1}));
}

TEST(RangeTest, OnTheDefaultBranchTheChangeIsTheLastCommit) {
  TestRepo repo;
  repo.Write("a.txt", "a\n");
  std::string first = repo.Commit("first");
  repo.Write("b.txt", "b\n");
  std::string second = repo.Commit("second");
  Range r = Read(repo);
  EXPECT_EQ(r.base, first);
  ASSERT_EQ(r.commits.size(), 1u);
  EXPECT_EQ(r.commits[0].commit, second);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, "b.txt");
}

TEST(RangeTest, RootCommitAddsEveryFile) {
  TestRepo repo;
  repo.Write("a.txt", "a\nb\n");
  repo.Commit("first");
  Range r = Read(repo);
  EXPECT_TRUE(r.base.empty());
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].added, 2);
}

TEST(RangeTest, ExplicitBaseAndHeadAndUnknownRevision) {
  TestRepo repo;
  repo.Write("a.txt", "a\n");
  std::string first = repo.Commit("first");
  repo.Write("a.txt", "a\nb\n");
  repo.Commit("second");
  repo.Write("a.txt", "a\nb\nc\n");
  std::string third = repo.Commit("third");
  Range r = Read(repo, first, third);
  EXPECT_EQ(r.base, first);
  EXPECT_EQ(r.commits.size(), 2u);
  EXPECT_TRUE(r.head_branch.empty());
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].added_lines, (std::set<int>{2, 3}));
  auto bad = ReadRange(repo.dir(), "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown revision 'nope'"), std::string::npos);
}

TEST(RangeTest, DefaultBranchName) {
  TestRepo repo;
  repo.Write("a.txt", "a\n");
  repo.Commit("first");
  repo.Branch("feature");
  auto name = DefaultBranchName(repo.dir());
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "main");
}

TEST(RangeTest, NotARepository) {
  auto r = ReadRange("/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a git repository"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::vcs
