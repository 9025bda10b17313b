// A change as the gate judges it: the commits between a base and a head, and the
// diff between them with line counts and the new line numbers per file. Read
// through libgit2, never by running git.
//
// How the base is chosen (docs/gates.md):
// - `base_ref` given: the merge-base of head and that revision (like
//   `git diff BASE...HEAD`), so commits made on BASE after the branch point do
//   not count. An unknown revision is an error.
// - no `base_ref`: the merge-base of head and the default branch (origin/HEAD if
//   set, else `main`, else `master`).
// - head on the default branch's history (the merge-base is head itself), or no
//   default branch: the change is head's last commit (head against its first parent).
// - a root commit: every file of head is added; the base is empty.
//
// Thread safety: opens its own repository handle per call.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct RangeCommit {
  std::string commit;  // full hex id
  std::string author_name;
  std::string author_email;
  int64_t time = 0;  // author time, seconds since the Unix epoch
  std::string subject;
  std::string message;
  std::vector<std::pair<std::string, std::string>> trailers;  // in order, duplicates kept
};

struct FileDiff {
  std::string path;      // the new path (the old one for a deletion)
  std::string old_path;  // differs from path for a rename
  int added = 0;         // lines; 0 for a binary file
  int deleted = 0;
  bool binary = false;
  std::set<int> added_lines;  // line numbers in the new file of added lines
};

struct Range {
  std::string base;                  // the commit compared against; empty: every file is new
  std::string head;                  // the head commit id
  std::string how;                   // one line on how the base was chosen
  std::string default_branch;        // "main", "master" (origin/HEAD: the remote branch's short
                                     // name without "origin/"); empty when there is none
  std::string head_branch;           // HEAD's branch when head_ref is HEAD or empty; else ""
  std::vector<RangeCommit> commits;  // base..head, oldest first (first-parent order not required)
  std::vector<FileDiff> files;       // sorted by path
  std::string workdir;  // the repository's working directory, ending in '/'; "" when bare
};

// The change head_ref (empty: HEAD) makes over base_ref (empty: see above), in the
// repository containing `path` (searched upwards).
Result<Range> ReadRange(const std::string& path, const std::string& base_ref = "",
                        const std::string& head_ref = "");

// The default branch's short name ("main"), as ReadRange finds it; "" when the
// repository has none.
Result<std::string> DefaultBranchName(const std::string& path);

}  // namespace gauntlet::vcs
