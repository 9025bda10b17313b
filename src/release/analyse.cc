#include "release/analyse.h"

#include <algorithm>

#include "release/tag_format.h"
#include "vcs/history.h"

namespace gauntlet::release {

namespace {

// The commits since the first of `candidates` (highest version first) that is in HEAD's
// history; `found` is null when none is (then: HEAD's whole history). The walk that
// lists the commits also tells whether the candidate is in HEAD's history, so the usual
// case (the highest tag is HEAD's last release) costs one pass.
Result<std::vector<vcs::LogCommit>> SinceFirstInHistory(
    const AnalyseOptions& options, const std::vector<const TaggedVersion*>& candidates,
    std::optional<TaggedVersion>* found) {
  for (const TaggedVersion* c : candidates) {
    auto walk = vcs::CommitsSince(options.repo_path, c->commit, options.only_path);
    if (!walk.ok()) return walk.error();
    if (walk->since_in_history) {
      *found = *c;
      return std::move(walk->commits);
    }
  }
  auto all = vcs::CommitsSince(options.repo_path, "", options.only_path);
  if (!all.ok()) return all.error();
  return std::move(all->commits);
}

}  // namespace

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
  Analysis a;
  std::vector<const TaggedVersion*> any, stable;
  for (const TaggedVersion& r : releases) {
    a.tagged.push_back(r.version);
    any.push_back(&r);
    if (r.version.stable()) stable.push_back(&r);
  }
  auto since_last = SinceFirstInHistory(options, any, &a.last);
  if (!since_last.ok()) return since_last.error();
  a.commits_since_last = static_cast<int>(since_last->size());
  std::vector<vcs::LogCommit> counted = std::move(*since_last);
  if (a.last && a.last->version.stable()) {
    a.last_stable = a.last;
  } else if (a.last) {
    // A prerelease: the last stable release is older; its commits count toward the
    // version the prereleases lead to (with since_stable).
    auto since_stable = SinceFirstInHistory(options, stable, &a.last_stable);
    if (!since_stable.ok()) return since_stable.error();
    if (options.since_stable) counted = std::move(*since_stable);
  }
  std::vector<ConventionalCommit> parsed;
  parsed.reserve(counted.size());
  for (vcs::LogCommit& c : counted) parsed.push_back(ParseCommit({c.id, std::move(c.message)}));
  a.commits = CancelReverts(std::move(parsed));
  return a;
}

}  // namespace gauntlet::release
