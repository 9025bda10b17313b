// A bare copy of a remote repository that the server polls (docs/server.md, "Polling a
// remote"). A fetch lands in refs/fetched/ first; the refs that differ from the accepted
// ones (refs/heads/, refs/tags/) are the moves, and are accepted only once the caller has
// queued them: a server killed between the two sees the same moves again at its next
// fetch (a push is run twice rather than lost). Through libgit2, never by running git.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::vcs {

struct RefMove {
  std::string ref;     // refs/heads/main, refs/tags/v1
  std::string before;  // the commit it was at; 40 zeros: new
  std::string after;   // the commit it is at now; 40 zeros: deleted
};

struct MirrorFetch {
  bool created = false;        // the first fetch: every ref accepted, no moves
  std::vector<RefMove> moves;  // sorted by ref
};

// Fetches every branch and tag of `url` (a URL or a path) into the bare repository `dir`,
// created the first time with HEAD at the remote's default branch.
Result<MirrorFetch> FetchMirror(const std::string& url, const std::string& dir);

// Makes the accepted refs of `moves` what the last fetch found.
Status AcceptMoves(const std::string& dir, const std::vector<RefMove>& moves);

}  // namespace gauntlet::vcs
