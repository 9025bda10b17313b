// `gauntlet promote ENV`: a person's decision on a paused (inconclusive) deployment:
// the step counts as passed and the deployment goes on in this process.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_remote.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

struct PromoteArgs {
  DeployTarget target;
  ServerFlags server;
};

int RunPromote(const PromoteArgs& args, const GlobalOptions& global) {
  const DeployTarget& target = args.target;
  if (!args.server.Url().empty()) {
    if (int bad = LocalOptionsWithServer(target)) return bad;
    return DriveOnServer(args.server, target.environment, "promote", nlohmann::json::object(), {},
                         global);
  }
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kPromote;
  // Ctrl-C rolls back, as during `gauntlet deploy`.
  return DriveDeployment(target, std::move(req), {.interruptible = true}, global);
}

}  // namespace

void RegisterPromote(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<PromoteArgs>();
  CLI::App* cmd = app.add_subcommand("promote", "Continue a paused deployment");
  cmd->footer(
      "A deployment whose analysis was inconclusive pauses for a person. promote takes the\n"
      "step as passed and drives the deployment on (next canary step, or promotion) in this\n"
      "process, with the same analysis and automatic rollback for the steps that follow.\n"
      "A failure held by rollback_on_failure: false: a failed analysis or step counts as\n"
      "passed too; a failed deploy command, health check or promotion is run again.\n"
      "Ctrl-C (SIGINT/SIGTERM) before promotion rolls back and exits 130, as for deploy.\n"
      "--server URL (or $GAUNTLET_SERVER): the server promotes ENV's paused deployment\n"
      "of the watched repository (--repo NAME), with a token of scope deploy (--token-file,\n"
      "or $GAUNTLET_TOKEN); its progress lines and the end are printed as here; Ctrl-C\n"
      "stops following, not the deployment (docs/server.md).\n"
      "Exit codes: 0 deployed, 1 rolled back / failed / paused again / nothing paused /\n"
      "refused by the server, 2 usage, 3 no pipeline file or environment (or no such\n"
      "repository), 4 internal error or the server cannot be reached, 130 interrupted.\n");
  AddTargetOptions(cmd, &args->target, &global.json);
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunPromote(*args, global); };
}

}  // namespace gauntlet::cli
