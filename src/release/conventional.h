// Commit messages read as Conventional Commits (conventionalcommits.org 1.0):
// `type(scope)!: subject`, `BREAKING CHANGE:` / `BREAKING-CHANGE:` footers, `Release-As:
// x.y.z`, the `Task-ID` / `Agent-By` trailers, and reverts (`Revert "..."` with "This
// reverts commit <id>.", or `revert: ...` with the same line) that cancel the commit they
// revert. Pure: the messages come from vcs/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "release/semver.h"

namespace gauntlet::release {

// One commit as git gives it.
struct RawCommit {
  std::string id;  // full hex
  std::string message;
};

struct ConventionalCommit {
  std::string id;
  std::string type;     // "feat", "fix", "perf", ...; lowercased; "" when not conventional
  std::string scope;    // "" when none
  std::string subject;  // after ": "; the whole first line when not conventional
  bool breaking = false;
  std::string breaking_note;  // the BREAKING CHANGE footer's text ("" with only '!')
  std::string release_as;     // `Release-As:` value, "" when none
  std::string task_id;        // `Task-ID:` trailer
  std::string agent_by;       // `Agent-By:` trailer
  std::string reverts;        // the full or abbreviated id this commit reverts
};

ConventionalCommit ParseCommit(const RawCommit& raw);

// What a commit asks for: breaking -> major, feat -> minor, fix/perf/revert -> patch,
// anything else (docs, chore, test, a non-conventional message) -> none.
Bump BumpOf(const ConventionalCommit& c);

// The commits that count, oldest first (as given): a revert whose target is among `commits`
// removes both (nothing was released of either); a revert of an earlier, released commit
// stays (it changes what users get: a patch).
std::vector<ConventionalCommit> CancelReverts(std::vector<ConventionalCommit> commits);

// The largest bump among `commits`.
Bump BumpOf(const std::vector<ConventionalCommit>& commits);

}  // namespace gauntlet::release
