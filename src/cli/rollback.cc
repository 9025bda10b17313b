// `gauntlet rollback ENV [--to VERSION]`: straight to the last known-good (or the named)
// release, without analysis.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_remote.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

struct RollbackArgs {
  DeployTarget target;
  std::string to;
  ServerFlags server;
};

int RunRollback(const RollbackArgs& args, const GlobalOptions& global) {
  if (!args.server.Url().empty()) {
    if (int bad = LocalOptionsWithServer(args.target)) return bad;
    nlohmann::json body = nlohmann::json::object();
    if (!args.to.empty()) body["to"] = args.to;
    return DriveOnServer(args.server, args.target.environment, "rollback", body, {}, global);
  }
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kRollback;
  req.rollback_to = args.to;
  req.trigger = CommandTrigger("rollback");
  return DriveDeployment(args.target, std::move(req), {}, global);
}

}  // namespace

void RegisterRollback(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<RollbackArgs>();
  CLI::App* cmd = app.add_subcommand("rollback", "Go back to the last known-good release");
  cmd->footer(
      "Puts ENV back on the last release that deployed successfully before the current one\n"
      "(or on --to VERSION, which must have deployed successfully before), without analysis:\n"
      "if a slot still runs it (blue_green within scale_down_delay, a canary's old slot)\n"
      "traffic switches at once; otherwise it is deployed to the idle slot (or every\n"
      "instance), health-checked, and then gets the traffic. The release left is stopped and\n"
      "an incident is recorded for it. Refused while another deployment holds ENV, except\n"
      "one waiting out its scale-down: the rollback preempts it (its old slot, still\n"
      "running, gets the traffic back at once) or waits while it stops that slot.\n"
      "--server URL (or $GAUNTLET_SERVER): the server rolls back ENV's current release of\n"
      "the watched repository (--repo NAME), with a token of scope deploy (--token-file, or\n"
      "$GAUNTLET_TOKEN); its progress lines and the end are printed as here.\n"
      "Exit codes: 0 rolled back, 1 failed or refused (by the server too), 2 usage, 3 no\n"
      "pipeline file or environment (or no such repository), 4 internal error or the\n"
      "server cannot be reached.\n");
  AddTargetOptions(cmd, &args->target, &global.json);
  AddServerFlags(cmd, &args->server);
  cmd->add_option("--to", args->to, "The version to go back to (default: the last known-good)");
  *run = [args, &global]() { return RunRollback(*args, global); };
}

}  // namespace gauntlet::cli
