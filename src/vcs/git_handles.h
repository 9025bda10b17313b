// Internal to vcs/: owning handles for libgit2 objects, the one-per-process libgit2
// init, and errors carrying libgit2's last message.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
using Repo = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using Ref = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using Commit = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using Object = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using Tree = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using Diff = std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;
using Config = std::unique_ptr<git_config, GitDeleter<git_config, git_config_free>>;
using StatusList =
    std::unique_ptr<git_status_list, GitDeleter<git_status_list, git_status_list_free>>;

// libgit2 needs one init per process before any call: done on first use, thread-safely,
// shut down at exit.
void EnsureLibgit2();

// The repository containing `path` (searched upwards), libgit2 initialised.
Result<Repo> OpenRepository(const std::string& path);

// "what: <libgit2's last error message>".
Error GitError(const std::string& what);

// The 40-digit hex form of an object id.
std::string Hex(const git_oid* oid);

// The commit a revision (`main`, `HEAD~2`, an id) names; false when there is none.
bool ResolveCommit(git_repository* repo, const std::string& spec, git_oid* out);

// The default branch's commit: origin/HEAD's target, else main, else master. `name` is
// its shorthand as libgit2 gives it ("origin/main" for origin/HEAD, else "main").
bool DefaultBranch(git_repository* repo, git_oid* out, std::string* name);

// The trailers of a commit message ("Task-ID: 42"), in order, duplicates kept.
std::vector<std::pair<std::string, std::string>> Trailers(const char* message);

}  // namespace gauntlet::vcs
