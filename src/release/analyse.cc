#include "release/analyse.h"

#include <algorithm>

#include "release/tag_format.h"
#include "vcs/history.h"

namespace gauntlet::release {

Result<Analysis> Analyse(const AnalyseOptions& options) {
  auto tags = vcs::ListTags(options.repo_path);
  if (!tags.ok()) return tags.error();
  std::vector<TaggedVersion> releases;
  for (const vcs::TagRef& t : *tags) {
    if (auto v = MatchTag(options.tag_format, t.name)) releases.push_back({t.name, t.commit, *v});
  }
  // Highest first: the first one in HEAD's history is the last release.
  std::sort(releases.begin(), releases.end(),
            [](const TaggedVersion& a, const TaggedVersion& b) { return b.version < a.version; });
  std::vector<std::string> commits;
  for (const auto& r : releases) commits.push_back(r.commit);
  auto reachable = vcs::InHeadHistory(options.repo_path, commits);
  if (!reachable.ok()) return reachable.error();
  Analysis a;
  for (size_t i = 0; i < releases.size(); ++i) {
    a.tagged.push_back(releases[i].version);
    if (!(*reachable)[i]) continue;
    if (!a.last) a.last = releases[i];
    if (!a.last_stable && releases[i].version.stable()) a.last_stable = releases[i];
  }
  auto since_last = vcs::CommitsSince(options.repo_path, a.last ? a.last->commit : "",
                                      options.only_path);
  if (!since_last.ok()) return since_last.error();
  a.commits_since_last = static_cast<int>(since_last->size());
  std::vector<vcs::LogCommit> counted = std::move(*since_last);
  const bool from_stable = options.since_stable && a.last && !a.last->version.stable();
  if (from_stable) {
    auto since_stable = vcs::CommitsSince(
        options.repo_path, a.last_stable ? a.last_stable->commit : "", options.only_path);
    if (!since_stable.ok()) return since_stable.error();
    counted = std::move(*since_stable);
  }
  std::vector<ConventionalCommit> parsed;
  parsed.reserve(counted.size());
  for (vcs::LogCommit& c : counted) parsed.push_back(ParseCommit({c.id, std::move(c.message)}));
  a.commits = CancelReverts(std::move(parsed));
  return a;
}

}  // namespace gauntlet::release
