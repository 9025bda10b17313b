// `gauntlet abort ENV`: rolls back a paused or interrupted deployment.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_remote.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

struct AbortArgs {
  DeployTarget target;
  ServerFlags server;
};

int RunAbort(const AbortArgs& args, const GlobalOptions& global) {
  const DeployTarget& target = args.target;
  if (!args.server.Url().empty()) {
    if (int bad = LocalOptionsWithServer(target)) return bad;
    return DriveOnServer(args.server, target.environment, "abort", nlohmann::json::object(),
                         {.success_state = store::kDeployRolledBack}, global);
  }
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kAbort;
  // Aborting is the request: a completed rollback is success.
  return DriveDeployment(target, std::move(req), {.success_state = store::kDeployRolledBack},
                         global);
}

}  // namespace

void RegisterAbort(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<AbortArgs>();
  CLI::App* cmd = app.add_subcommand("abort", "Roll back a paused or interrupted deployment");
  cmd->footer(
      "Rolls back the environment's paused deployment, or one whose engine is gone: traffic\n"
      "back to the stable slot first, then the new slot stopped; an incident is recorded.\n"
      "A deployment driven by a live process is refused (it rolls back on its own).\n"
      "--server URL (or $GAUNTLET_SERVER): the server aborts ENV's deployment of the\n"
      "watched repository (--repo NAME), with a token of scope deploy (--token-file, or\n"
      "$GAUNTLET_TOKEN); its progress lines and the end are printed as here.\n"
      "Exit codes: 0 rolled back, 1 could not (nothing to abort, router failed, refused by\n"
      "the server), 2 usage, 3 no pipeline file or environment (or no such repository),\n"
      "4 internal error or the server cannot be reached.\n");
  AddTargetOptions(cmd, &args->target, &global.json);
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunAbort(*args, global); };
}

}  // namespace gauntlet::cli
