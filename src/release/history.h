// The release history (`gauntlet releases`): the store's release rows with their steps,
// newest first, and their JSON view (docs/release.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace gauntlet::release {

struct ReleaseEntry {
  store::ReleaseRecord release;
  std::vector<store::ReleaseStepRecord> steps;
};

Result<std::vector<ReleaseEntry>> History(store::Store& st, const std::string& pipeline,
                                          const std::optional<std::string>& package, int limit);

nlohmann::json HistoryJson(const std::vector<ReleaseEntry>& entries);

}  // namespace gauntlet::release
