#include "engine/trust.h"

#include "gate/identity.h"
#include "vcs/range.h"

namespace gauntlet::engine {

const gate::AuthorHistory* TrustReport::HistoryOf(const std::string& key) const {
  auto it = histories.find(key);
  return it == histories.end() ? nullptr : &it->second;
}

Result<TrustReport> ReadTrust(store::Store& s, const spec::Pipeline& pipeline,
                              const std::string& root, const std::string& author,
                              int64_t now_ms) {
  auto branch = vcs::DefaultBranchName(root);
  // Outside a repository (or without main/master) runs on `main` are the merged ones.
  const gate::TrustScope scope{pipeline.name, branch.ok() && !branch->empty() ? *branch : "main"};
  auto histories = gate::LoadTrustHistories(s, scope);
  if (!histories.ok()) return histories.error();
  TrustReport report;
  report.histories = std::move(*histories);
  std::vector<std::string> keys;
  if (!author.empty()) {
    keys.push_back(gate::AuthorKey({"", author}));
    if (!report.histories.count(keys[0])) {
      // A name rather than an email: the author whose newest run spells it so.
      for (const auto& [key, h] : report.histories) {
        if (h.author.name == author) keys[0] = key;
      }
    }
  } else {
    for (const auto& [key, h] : report.histories) keys.push_back(key);
  }
  for (const std::string& key : keys) {
    auto standing = gate::StandingOf(s, scope, pipeline.gates, report.histories, key, now_ms);
    if (!standing.ok()) return standing.error();
    report.standings.emplace_back(key, std::move(*standing));
  }
  if (!author.empty()) {
    auto changes = s.ListTrustChanges(pipeline.name, keys[0]);
    if (!changes.ok()) return changes.error();
    report.changes = std::move(*changes);
  }
  return report;
}

}  // namespace gauntlet::engine
