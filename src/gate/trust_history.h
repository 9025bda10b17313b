// Where the trust ladder's history comes from: the run store.
//
// - A repository is named by its pipeline (`name:` in gauntlet.yml): its history
//   is the store's runs of that pipeline. The default store lives in the
//   workspace, so that is one repository; repositories sharing a store need
//   distinct pipeline names.
// - An author is their lowercased email (gate::AuthorKey).
// - A change merged = a distinct commit by the author with a successful run of the
//   pipeline on the default branch, at the end of its first such run.
// - An incident (store::IncidentRecord: a rollback, or a revert) is blamed on the
//   author of the runs of the commit it names (an abbreviated id matches by
//   prefix); an incident naming a commit no run of the pipeline knows is not
//   counted.
// - A revert commit in a judged change ("This reverts commit X") records one
//   "revert" incident for X (RecordRevertIncidents), once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "gate/identity.h"
#include "gate/trust.h"
#include "spec/model.h"
#include "store/store.h"

namespace gauntlet::gate {

struct TrustScope {
  std::string repository;      // the pipeline's name
  std::string default_branch;  // "main"
};

struct AuthorHistory {
  Author author;  // as the newest run spells it
  std::vector<TrustEvent> events;
};

// Every author's merged changes and incidents, by AuthorKey.
Result<std::map<std::string, AuthorHistory>> LoadTrustHistories(store::Store& store,
                                                                const TrustScope& scope);

// Replays one author's history (a key not in `histories`: a new author, L0) and
// records the level changes in the store.
Result<TrustStanding> StandingOf(store::Store& store, const TrustScope& scope,
                                 const spec::Gates& gates,
                                 const std::map<std::string, AuthorHistory>& histories,
                                 const std::string& author_key, int64_t now_ms);

// Records a "revert" incident for each commit the change reverts, unless one is
// recorded already. Returns how many were recorded.
Result<int> RecordRevertIncidents(store::Store& store, const Identity& identity, int64_t now_ms);

}  // namespace gauntlet::gate
