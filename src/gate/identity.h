// Who made a change: the authors of its commits and the trailers an agent leaves
// (`Agent-By`, `Task-ID`, `Model`), the commits it reverts, and the lines it
// added per file (for new-code coverage). Built from a vcs::Range.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vcs/range.h"

namespace gauntlet::gate {

struct Author {
  std::string name;
  std::string email;  // as written; trust keys on it lowercased (AuthorKey)
};

struct ChangeCommit {
  std::string commit;
  Author author;
  std::string subject;
  std::string agent_by, task_id, model;  // empty when the trailer is absent
  std::string reverts;                   // "This reverts commit X": X, else empty
};

struct Identity {
  Author author;                         // the head commit's author
  std::vector<Author> authors;           // every distinct author (by AuthorKey), in commit order
  std::string agent_by, task_id, model;  // the newest commit's value of each trailer
  std::vector<ChangeCommit> commits;     // oldest first
  bool by_agent() const { return !agent_by.empty(); }
};

// Lowercased email (the name when there is no email): one author across name spellings.
std::string AuthorKey(const Author& a);

// The commit named by git's revert message ("This reverts commit <40 hex>."), if any.
std::optional<std::string> RevertedCommit(std::string_view message);

// Trailer keys are matched case-insensitively, as git does.
Identity IdentityOf(const vcs::Range& range);

// Added line numbers per file (path -> lines), for gate::NewCodeCoverage.
std::map<std::string, std::set<int>> ChangedLines(const vcs::Range& range);

}  // namespace gauntlet::gate
