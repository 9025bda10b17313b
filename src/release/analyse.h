// Step "analyse" of a release: the last release of a package (the highest version whose
// tag, under the package's tag format, is in HEAD's history), the commits since it (only
// those touching the package's path in a monorepo), read as Conventional Commits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "release/conventional.h"
#include "release/semver.h"

namespace gauntlet::release {

struct TaggedVersion {
  std::string tag;
  std::string commit;
  Version version;
};

struct AnalyseOptions {
  std::string repo_path;       // inside the repository
  std::string tag_format = "v{version}";
  std::string only_path;       // a package's path ("" the whole repository)
  // A prerelease branch: commits are counted from the last stable release, so that
  // rc.2 carries everything rc.1 had (the version they lead to is the same).
  bool since_stable = true;
};

struct Analysis {
  std::optional<TaggedVersion> last;         // last release in HEAD's history, any kind
  std::optional<TaggedVersion> last_stable;  // last stable release in HEAD's history
  std::vector<Version> tagged;  // every version with a tag under the format, anywhere
  // Since `last` (or `last_stable` with since_stable), oldest first, reverts cancelled.
  std::vector<ConventionalCommit> commits;
  int commits_since_last = 0;  // before filtering by type: 0 means HEAD is the release
};

Result<Analysis> Analyse(const AnalyseOptions& options);

}  // namespace gauntlet::release
