// For tests: a real git repository in a temp dir, written through libgit2, with
// commits by any author at any time (the gate's tests need several authors,
// agent trailers and reverts). Failures are gtest failures.
#pragma once

#include <git2.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace gauntlet::vcs {

class TestRepo {
 public:
  // A new repository whose first branch is `main`, in `dir` (a fresh temp dir when empty).
  explicit TestRepo(std::string dir = "") : dir_(std::move(dir)) {
    git_libgit2_init();
    if (dir_.empty()) {
      char tmpl[] = "/tmp/gauntlet-repo-XXXXXX";
      if (::mkdtemp(tmpl) != nullptr) dir_ = tmpl;
      owned_ = true;
    }
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.initial_head = "main";
    opts.flags |= GIT_REPOSITORY_INIT_MKPATH;
    EXPECT_EQ(git_repository_init_ext(&repo_, dir_.c_str(), &opts), 0);
  }
  ~TestRepo() {
    git_repository_free(repo_);
    git_libgit2_shutdown();
    if (owned_) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  const std::string& dir() const { return dir_; }

  void Write(const std::string& rel, const std::string& content) const {
    const std::filesystem::path p(dir_ + "/" + rel);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  void Remove(const std::string& rel) const { std::filesystem::remove(dir_ + "/" + rel); }

  git_repository* repo() const { return repo_; }

  // Stages one path (removes it from the index when the file is gone).
  void Stage(const std::string& rel) const {
    git_index* index = nullptr;
    EXPECT_EQ(git_repository_index(&index, repo_), 0);
    if (std::filesystem::exists(dir_ + "/" + rel)) {
      EXPECT_EQ(git_index_add_bypath(index, rel.c_str()), 0);
    } else {
      EXPECT_EQ(git_index_remove_bypath(index, rel.c_str()), 0);
    }
    EXPECT_EQ(git_index_write(index), 0);
    git_index_free(index);
  }

  // Stages the whole work tree and commits it on HEAD; returns the commit id.
  // `with_parent` false makes a root commit (for an orphan branch).
  std::string Commit(const std::string& message, const std::string& name = "Ada",
                     const std::string& email = "ada@example.com", int64_t time = 1700000000,
                     bool with_parent = true) {
    git_index* index = nullptr;
    EXPECT_EQ(git_repository_index(&index, repo_), 0);
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
    EXPECT_EQ(git_signature_new(&sig, name.c_str(), email.c_str(), time, 0), 0);
    git_commit* parent = nullptr;
    int n = 0;
    if (with_parent && git_reference_name_to_id(&head, repo_, "HEAD") == 0) {
      EXPECT_EQ(git_commit_lookup(&parent, repo_, &head), 0);
      n = 1;
    }
    const git_commit* parents[] = {parent};
    EXPECT_EQ(git_commit_create(&commit_id, repo_, "HEAD", sig, sig, nullptr, message.c_str(), tree,
                                n, parents),
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

 private:
  std::string dir_;
  bool owned_ = false;
  git_repository* repo_ = nullptr;
};

}  // namespace gauntlet::vcs
