// The trust levels authors earned in a repository's history (`gauntlet trust`, next the
// server): the default branch found, every author's history loaded and replayed against
// the pipeline's `gates.trust` (gate/trust_history.h), which records level changes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "gate/trust_history.h"
#include "spec/model.h"
#include "store/store.h"

namespace gauntlet::engine {

struct TrustReport {
  std::map<std::string, gate::AuthorHistory> histories;  // by gate::AuthorKey
  // By key, in key order; one entry when an author was asked for.
  std::vector<std::pair<std::string, gate::TrustStanding>> standings;
  std::vector<store::TrustChangeRecord> changes;  // the one author's promotions, demotions

  // The history of `key`; null for an author with none (a new author, L0).
  const gate::AuthorHistory* HistoryOf(const std::string& key) const;
};

// Every author of `pipeline` in the repository at `root` (runs on its default branch,
// "main" outside a repository, are the merged ones), or only `author` (an email, or a name
// as the author's newest run spells it) with the level changes recorded for them.
Result<TrustReport> ReadTrust(store::Store& s, const spec::Pipeline& pipeline,
                              const std::string& root, const std::string& author,
                              int64_t now_ms);

}  // namespace gauntlet::engine
