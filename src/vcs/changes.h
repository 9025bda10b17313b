// The files a run counts as changed, for change filters (`changes:`): the
// committed changes between a base and HEAD, plus, in a dirty work tree, the
// uncommitted ones. Read through libgit2, never by running git.
//
// How the base is chosen, and the edge cases (also in docs/caching.md):
// - `base_ref` given (`--base REF`): the merge-base of HEAD and REF, so commits
//   made on REF after the branch point do not count (like `git diff REF...HEAD`).
//   An unknown REF is an error.
// - no `base_ref`: the merge-base of HEAD and the default branch: origin/HEAD
//   if set, else `main`, else `master`.
// - on the default branch itself, or detached (the merge-base is HEAD, no
//   `base_ref`): the changes of the last commit (HEAD against its first parent).
// - on another branch whose HEAD is on the default branch's history (just
//   created, nothing committed yet): no committed changes, only uncommitted.
// - HEAD == the merge-base with an explicit `base_ref`: no committed changes;
//   only the uncommitted ones count.
// - the first commit, no default branch, or a branch with no merge-base
//   (unrelated history): every file of HEAD counts as changed.
// - no commit yet: only the uncommitted files (staged and untracked).
// - not a repository: `available` is false; filters cannot apply and nothing
//   is skipped.
// Uncommitted changes are staged, unstaged and untracked files (ignored files
// excluded, untracked directories listed file by file). A rename counts both
// paths.
//
// Thread safety: opens its own repository handle per call.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct ChangeSet {
  bool available = false;              // false: not a git repository
  std::string head;                    // HEAD commit id; empty before the first commit
  std::string base;                    // commit compared against; empty: every file of HEAD counts
  std::string how;                     // one line on how the base was chosen, for logs and `--json`
  std::vector<std::string> committed;  // base..HEAD, sorted
  std::vector<std::string> uncommitted;  // dirty files, sorted
  std::vector<std::string> files;        // both, sorted and unique
  std::string workdir;  // the repository's working directory (paths are relative to it)
};

// Changes of the repository containing `path` (searched upwards).
Result<ChangeSet> ChangedFilesForRun(const std::string& path, const std::string& base_ref = "");

// The change set as a pipeline in directory `dir` (inside the repository) sees it: paths
// relative to `dir`, files outside it dropped (a pipeline in a monorepo's subdirectory
// is not concerned by the rest), and gauntlet's own state (`.gauntlet/`) never counted.
ChangeSet Within(ChangeSet changes, const std::string& dir);

}  // namespace gauntlet::vcs
