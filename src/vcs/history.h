// What a release reads from git: the tags with their commits, and the commits since a
// base (optionally only those touching a path: a package of a monorepo), with whether
// the base is in HEAD's history. Read through libgit2.
//
// Thread safety: each function opens its own repository handle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct TagRef {
  std::string name;    // "v1.2.0" (without refs/tags/)
  std::string commit;  // the commit it points at (annotated tags peeled)
};

struct LogCommit {
  std::string id;  // full hex
  std::string message;
};

// Every tag of the repository containing `path`.
Result<std::vector<TagRef>> ListTags(const std::string& path);

struct CommitsSinceResult {
  std::vector<LogCommit> commits;
  // `since` is HEAD or in HEAD's history: found in the same walk (a listed commit has it
  // as a parent), so no second pass over the history is needed to know it.
  bool since_in_history = false;
};

// The commits reachable from HEAD and not from `since` (empty: all of HEAD's history),
// oldest first. `only_path` (relative to the work tree, no trailing '/'): only those that
// change something under it compared with their first parent.
Result<CommitsSinceResult> CommitsSince(const std::string& path, const std::string& since,
                                        const std::string& only_path = "");

}  // namespace gauntlet::vcs
