// What a release writes to git: a commit of some files on HEAD's branch, an annotated
// tag, and the push of both to a remote; and the remote's head, read without fetching
// (so a dry run changes no ref). Through libgit2, never by running git.
//
// Thread safety: each function opens its own repository handle.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

// Stages `files` (relative to the work tree) as they are on disk and commits the index on
// HEAD with `message`; the author and committer are the repository's user.name/email,
// else "gauntlet <gauntlet@localhost>". Returns the new commit's id.
Result<std::string> CommitFiles(const std::string& path, const std::vector<std::string>& files,
                                const std::string& message);

// An annotated tag `name` on `commit`. kConflict when the tag exists (never moved).
Status CreateTag(const std::string& path, const std::string& name, const std::string& commit,
                 const std::string& message);

// The id `refs/heads/<branch>` has on `remote` (a remote's name or a URL/path), "" when
// it has no such branch. Lists the remote's refs; fetches nothing.
Result<std::string> RemoteBranchHead(const std::string& path, const std::string& remote,
                                     const std::string& branch);

// Pushes `refspecs` ("refs/heads/main:refs/heads/main") to `remote`. A rejected update
// (not a fast-forward, a hook) is an error naming the ref and the reason.
Status Push(const std::string& path, const std::string& remote,
            const std::vector<std::string>& refspecs);

}  // namespace gauntlet::vcs
