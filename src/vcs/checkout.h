// A working copy kept at a commit of another repository: how the server brings a
// workspace to the exact commit a trigger names (GitLab runners' `fetch` strategy). The
// first time it clones; afterwards it fetches and checks out by force, writing only the
// files that differ, and removes untracked files (ignored ones, such as build outputs,
// stay: `git clean -fd`). Through libgit2, never by running git.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct CheckoutStats {
  bool cloned = false;  // the first time
  std::string commit;   // the full id checked out
};

// Brings `dir` to `commit` (an id) of `source` (a path or URL). With a `branch`, a local
// branch of that name is set to the commit and HEAD points to it (so the run sees its
// branch); else HEAD is detached. kNotFound when the commit is not in `source`.
// `keep`: the pipeline's declared caches (gitignore patterns anchored at the root), kept
// through the clean of untracked files: written to the workspace's .git/info/exclude, so
// git sees them as ignored. Null: the ones written last time stay.
Result<CheckoutStats> CheckoutAt(const std::string& source, const std::string& dir,
                                 const std::string& commit, const std::string& branch,
                                 const std::vector<std::string>* keep = nullptr);

// The commit `rev` names in the repository at `path` ("main", "v1", an id).
Result<std::string> ResolveRevision(const std::string& path, const std::string& rev);

// A file as committed at `rev` of a repository; "HEAD" is the head of its current branch
// (of a bare repository: its default branch). How the server reads a pipeline's
// schedules and inputs without a checkout. `found` is false when the commit has no such
// file; kNotFound when there is no such commit.
struct CommittedFile {
  std::string branch;  // for HEAD: "main"; empty when detached or for another rev
  std::string commit;
  bool found = false;
  std::string content;
};
Result<CommittedFile> ReadCommittedFile(const std::string& repo_path, const std::string& rev,
                                        const std::string& file);

// The names of the files (blobs) directly in directory `dir` of commit `rev`, sorted; empty
// when the commit has no such directory. How the server finds a commit's workflow files
// without a checkout.
Result<std::vector<std::string>> ListCommittedDir(const std::string& repo_path,
                                                  const std::string& rev, const std::string& dir);

// For a merge commit of the repository at `repo_path`, the branch that was merged: a local
// branch (other than `into`) whose head is the commit's second parent, else the name in
// git's or a forge's merge message ("Merge branch 'x'", "Merge pull request #7 from
// owner/x", "Merge remote-tracking branch 'origin/x'"). "" for a commit with one parent
// or when neither says.
Result<std::string> MergedBranch(const std::string& repo_path, const std::string& commit,
                                 const std::string& into);

}  // namespace gauntlet::vcs
