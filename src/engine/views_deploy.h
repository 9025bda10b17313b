// The JSON view of a deployment: what `gauntlet deploy|promote|abort|rollback --json` and
// `gauntlet deployments --json` print, and what the server and MCP will answer. Pure;
// documented in docs/json.md, pinned by views_test.cc against docs/json/deployment.json.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "store/deploy_records.h"

namespace gauntlet::engine {

// The deployment with its verdicts (from its events: each step's metric, value,
// baseline, threshold, window); every event too when `with_events`.
nlohmann::json DeploymentJson(const store::DeploymentRecord& d,
                              const std::vector<store::DeploymentEvent>& events, bool with_events,
                              int64_t now_ms);

}  // namespace gauntlet::engine
