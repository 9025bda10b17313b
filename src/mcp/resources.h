// MCP resources: runs (gauntlet://runs/ID, the run_status JSON), a job's log
// (gauntlet://runs/ID/logs/JOB, text) and deployments (gauntlet://deployments/ENV, the
// newest ten). Read-only; subscriptions to runs and deployments in subscriptions.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "mcp/tool.h"

namespace gauntlet::mcp {

// MCP's error code for a resource that does not exist.
inline constexpr int kResourceNotFound = -32002;

// {"resources": [...]}: the newest runs and each environment's deployments.
nlohmann::json ListResources(const Workplace& w);
// {"resourceTemplates": [...]}.
nlohmann::json ResourceTemplates();
// {"contents": [{"uri","mimeType","text"}]}; kNotFound for an unknown URI.
Result<nlohmann::json> ReadResource(const Workplace& w, const std::string& uri);

}  // namespace gauntlet::mcp
