// promote, abort and rollback as clients of a running `gauntlet serve` (--server URL or
// $GAUNTLET_SERVER): the environment's deployment is found through the API, the action is
// asked (POST /api/v1/deployments/ID/ACTION), its progress lines are followed on the
// server's event stream and printed as the local command prints them, and the deployment
// as it ended is reported (text or --json) with the local command's exit codes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "cli/deploy_support.h"
#include "cli/server_client.h"

namespace gauntlet::cli {

// `action`: "promote", "abort" or "rollback"; `body`: the POST's JSON ({"to": V} for a
// rollback to a given version). Returns the exit code.
int DriveOnServer(const ServerFlags& server, const std::string& environment,
                  const std::string& action, const nlohmann::json& body, DeployExit exit,
                  const GlobalOptions& global);

}  // namespace gauntlet::cli
