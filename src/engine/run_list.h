// The recent runs of a store as a person (`gauntlet runs`) or a client of the server asks
// for them: filtered by what they are shown as, newest first, with their test and
// coverage metrics.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace gauntlet::engine {

struct ListedRun {
  store::RunRecord run;
  std::map<std::string, double> metrics;  // empty: its jobs have no `reports:`
};

// At most `filter.limit` runs, newest first. `filter.status` selects runs by the status
// they are shown with (ShownStatus): 'interrupted' covers runs stored so and 'running'
// runs whose engine is gone from this host.
Result<std::vector<ListedRun>> FindRuns(store::Store& s, const store::RunFilter& filter);

// One listed run as `gauntlet runs --json` prints it and GET /api/v1/runs answers: the run
// (views_run.h RunJson) with "tests" and "coverage" (null without reports).
nlohmann::json ListedRunJson(const ListedRun& r, int64_t now_ms);

}  // namespace gauntlet::engine
