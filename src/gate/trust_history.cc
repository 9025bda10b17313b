#include "gate/trust_history.h"

#include <limits>
#include <set>

namespace gauntlet::gate {
namespace {

// The author key of the runs of a commit, found by full id or by an abbreviation.
const std::string* Blame(const std::map<std::string, std::string>& author_of,
                         const std::string& commit) {
  if (commit.empty()) return nullptr;
  auto it = author_of.lower_bound(commit);
  if (it == author_of.end() || !it->first.starts_with(commit)) return nullptr;
  return &it->second;
}

}  // namespace

Result<std::map<std::string, AuthorHistory>> LoadTrustHistories(store::Store& store,
                                                                const TrustScope& scope) {
  store::RunFilter filter;
  filter.pipeline = scope.repository;
  filter.limit = std::numeric_limits<int>::max();
  auto runs = store.ListRuns(filter);  // newest first
  if (!runs.ok()) return runs.error();

  std::map<std::string, AuthorHistory> out;
  std::map<std::string, std::string> author_of;           // commit -> author key
  std::map<std::string, const store::RunRecord*> merged;  // commit -> its first successful run
  for (const store::RunRecord& r : *runs) {
    if (r.git_commit.empty()) continue;
    const Author a{r.author_name, r.author_email};
    const std::string key = AuthorKey(a);
    if (key.empty()) continue;
    author_of.emplace(r.git_commit, key);  // newest run's author wins (they agree anyway)
    if (out.find(key) == out.end()) out[key].author = a;
    if (r.status == store::RunStatus::kSuccess && r.git_branch == scope.default_branch) {
      merged[r.git_commit] = &r;  // iterating newest first: ends on the oldest
    }
  }
  for (const auto& [commit, run] : merged) {
    TrustEvent e;
    e.kind = TrustEvent::Kind::kMerged;
    e.at_ms = run->finished_ms != 0 ? run->finished_ms : run->started_ms;
    e.commit = commit;
    e.what = run->subject;
    out[author_of[commit]].events.push_back(std::move(e));
  }

  auto incidents = store.ListIncidents(0);
  if (!incidents.ok()) return incidents.error();
  for (const store::IncidentRecord& i : *incidents) {
    const std::string* key = Blame(author_of, i.git_commit);
    if (key == nullptr) continue;
    TrustEvent e;
    e.kind = TrustEvent::Kind::kIncident;
    e.at_ms = i.at_ms;
    e.commit = i.git_commit;
    e.what = i.kind;
    if (!i.environment.empty()) e.what += " in " + i.environment;
    if (!i.detail.empty()) e.what += ": " + i.detail;
    out[*key].events.push_back(std::move(e));
  }
  return out;
}

Result<TrustStanding> StandingOf(store::Store& store, const TrustScope& scope,
                                 const spec::Gates& gates,
                                 const std::map<std::string, AuthorHistory>& histories,
                                 const std::string& author_key, int64_t now_ms) {
  auto it = histories.find(author_key);
  TrustStanding standing = ReplayTrust(
      it == histories.end() ? std::vector<TrustEvent>{} : it->second.events, gates, now_ms);
  for (const TrustChange& c : standing.changes) {
    store::TrustChangeRecord rec;
    rec.repository = scope.repository;
    rec.author = author_key;
    rec.from_level = ToString(c.from);
    rec.to_level = ToString(c.to);
    rec.reason = c.reason;
    rec.at_ms = c.at_ms;
    if (Status s = store.RecordTrustChange(rec); !s.ok()) return s.error();
  }
  return standing;
}

Result<int> RecordRevertIncidents(store::Store& store, const Identity& identity, int64_t now_ms) {
  auto existing = store.ListIncidents(0);
  if (!existing.ok()) return existing.error();
  std::set<std::string> known;
  for (const auto& i : *existing) {
    if (i.kind == "revert") known.insert(i.git_commit);
  }
  int recorded = 0;
  for (const ChangeCommit& c : identity.commits) {
    if (c.reverts.empty() || !known.insert(c.reverts).second) continue;
    store::IncidentRecord rec;
    rec.kind = "revert";
    rec.git_commit = c.reverts;
    rec.detail = "reverted by " + c.commit.substr(0, 10) + " (" + c.subject + ")";
    rec.at_ms = now_ms;
    auto id = store.RecordIncident(rec);
    if (!id.ok()) return id.error();
    ++recorded;
  }
  return recorded;
}

}  // namespace gauntlet::gate
