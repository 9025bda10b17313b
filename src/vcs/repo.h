// The git context of a workspace, read through libgit2 (never by running git):
// what HEAD is, who wrote it, its trailers, whether the tree is dirty, and which
// files changed between two revisions.
//
// Thread safety: the functions open their own repository handle per call and
// may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct CommitInfo {
  std::string commit;  // full hex id
  std::string branch;  // short name ("main"), or "HEAD" when detached
  std::string author_name;
  std::string author_email;
  int64_t committer_time = 0;  // seconds since the Unix epoch
  std::string subject;         // the message's first line
  std::string message;         // the whole message
  // Trailers of the message's last paragraph ("Task-ID: 42", "Co-authored-by: ..."),
  // in order, duplicates kept.
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string workdir;  // the repository's working directory
};

// HEAD of the repository containing `path` (searched upwards, like git). When
// `path` is not inside a repository the error satisfies IsNotARepository: the
// caller then records no git information.
// Reads HEAD only: no scan of the work tree (see WorkTreeDirty).
Result<CommitInfo> HeadInfo(const std::string& path);

// Whether tracked files differ from HEAD in the repository containing `path`
// (untracked files do not count). Stats every tracked file: as slow as `git status`.
Result<bool> WorkTreeDirty(const std::string& path);

// Those tracked files, relative to the work tree, sorted: what a release finds left
// behind when it was killed between writing its files and committing them.
Result<std::vector<std::string>> UncommittedPaths(const std::string& path);

bool IsNotARepository(const Error& error);

// The git directory shared by every worktree of the repository containing `path` (its
// "common dir": `.git` of the main worktree), absolute, with a trailing '/'.
Result<std::string> CommonDir(const std::string& path);

// The files git tracks in the repository containing `path` (its index), relative to the
// work tree, sorted. Reads the index file only: no scan of the work tree.
Result<std::vector<std::string>> TrackedFiles(const std::string& path);

// The files `git add -A` would add in the repository containing `path`: untracked and not
// ignored, relative to the work tree, sorted. Walks the work tree (skipping ignored
// directories), so it is for a miss among TrackedFiles, not for every lookup.
Result<std::vector<std::string>> UntrackedFiles(const std::string& path);

// Paths that differ between the trees of two revisions (anything git rev-parse
// accepts: "main", "HEAD~1", an id). A rename lists both paths. Sorted, unique.
Result<std::vector<std::string>> ChangedFiles(const std::string& repo_path,
                                              const std::string& base_ref,
                                              const std::string& head_ref);

}  // namespace gauntlet::vcs
