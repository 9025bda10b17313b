// The decision of a change filter (`changes:` on the pipeline or a job): run,
// or skip because none of the changed files is relevant.
//
// A changed file is relevant when it matches `paths` (if any are given) and
// does not match `ignore` (both are GlobSets: '!' re-includes, last match
// wins). No relevant file: skip. An empty filter, an unavailable change set
// (not a git repository) or an invalid pattern: run, never a wrongful skip.
#pragma once

#include <string>
#include <vector>

#include "spec/model.h"
#include "vcs/changes.h"

namespace gauntlet::cache {

struct ChangeDecision {
  bool run = true;
  // Why, for the run record and the terminal: "no relevant changes: 3 files
  // changed, all match ignore" or "2 relevant files changed (src/a.cc, ...)".
  std::string reason;
  std::vector<std::string> relevant;  // the changed files that made it run
};

ChangeDecision Decide(const spec::ChangeFilter& filter, const std::vector<std::string>& changed);

// As above, and runs when the change set is unavailable (not a repository).
ChangeDecision Decide(const spec::ChangeFilter& filter, const vcs::ChangeSet& changes);

}  // namespace gauntlet::cache
