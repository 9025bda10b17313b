#include "vcs/changes.h"

#include <git2.h>
#include <gtest/gtest.h>

#include "cache/change_filter.h"
#include "cache/test_dir.h"

namespace gauntlet::vcs {
namespace {

using Files = std::vector<std::string>;

// Real repositories built with libgit2 in a temp dir.
class ChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    git_libgit2_init();
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.initial_head = "main";
    ASSERT_EQ(git_repository_init_ext(&repo_, dir_.path().c_str(), &opts), 0);
  }
  void TearDown() override {
    git_repository_free(repo_);
    git_libgit2_shutdown();
  }

  void Write(const std::string& rel, const std::string& content) { dir_.Write(rel, content); }
  void Remove(const std::string& rel) { std::filesystem::remove(dir_ / rel); }

  git_index* Index() {
    git_index* index = nullptr;
    EXPECT_EQ(git_repository_index(&index, repo_), 0);
    return index;
  }
  void Stage(const std::string& rel) {
    git_index* index = Index();
    if (std::filesystem::exists(dir_ / rel)) {
      EXPECT_EQ(git_index_add_bypath(index, rel.c_str()), 0);
    } else {
      EXPECT_EQ(git_index_remove_bypath(index, rel.c_str()), 0);
    }
    EXPECT_EQ(git_index_write(index), 0);
    git_index_free(index);
  }

  // Stages the whole work tree and commits it on HEAD; `parents` false makes
  // a root commit (for an orphan branch).
  std::string Commit(const std::string& message, bool parents = true) {
    git_index* index = Index();
    const char* all = "*";
    git_strarray spec = {const_cast<char**>(&all), 1};
    EXPECT_EQ(git_index_add_all(index, &spec, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr), 0);
    EXPECT_EQ(git_index_update_all(index, &spec, nullptr, nullptr), 0);
    EXPECT_EQ(git_index_write(index), 0);
    git_oid tree_id, commit_id, head;
    EXPECT_EQ(git_index_write_tree(&tree_id, index), 0);
    git_index_free(index);
    git_tree* tree = nullptr;
    EXPECT_EQ(git_tree_lookup(&tree, repo_, &tree_id), 0);
    git_signature* sig = nullptr;
    EXPECT_EQ(git_signature_new(&sig, "Ada", "ada@example.com", 1700000000, 0), 0);
    git_commit* parent = nullptr;
    int n = 0;
    if (parents && git_reference_name_to_id(&head, repo_, "HEAD") == 0) {
      EXPECT_EQ(git_commit_lookup(&parent, repo_, &head), 0);
      n = 1;
    }
    const git_commit* list[] = {parent};
    EXPECT_EQ(git_commit_create(&commit_id, repo_, "HEAD", sig, sig, nullptr, message.c_str(), tree,
                                n, list),
              0);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof(hex), &commit_id);
    return hex;
  }

  // A new branch at HEAD, checked out (the work tree already matches).
  void Branch(const std::string& name) {
    git_oid head;
    ASSERT_EQ(git_reference_name_to_id(&head, repo_, "HEAD"), 0);
    git_commit* c = nullptr;
    ASSERT_EQ(git_commit_lookup(&c, repo_, &head), 0);
    git_reference* ref = nullptr;
    ASSERT_EQ(git_branch_create(&ref, repo_, name.c_str(), c, 0), 0);
    git_reference_free(ref);
    git_commit_free(c);
    ASSERT_EQ(git_repository_set_head(repo_, ("refs/heads/" + name).c_str()), 0);
  }

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
  git_repository* repo_ = nullptr;
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
