// `gauntlet deploy ENV --version V [--strategy S] | --resume`: one deployment, driven
// by this process to its end (succeeded, rolled back, failed) or to a pause.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

struct DeployArgs {
  DeployTarget target;
  std::string version, strategy, commit;
  bool resume = false;
};

int RunDeploy(const DeployArgs& args, const GlobalOptions& global) {
  if (args.resume == !args.version.empty()) {
    fmt::print(stderr, "gauntlet: deploy needs --version V, or --resume (not both)\n");
    return kExitInvalid;
  }
  engine::DeploymentRequest req;
  req.action = args.resume ? engine::DeployAction::kResume : engine::DeployAction::kStart;
  req.start.version = args.version;
  req.start.strategy = args.strategy;
  req.start.trigger = CommandTrigger("deploy");
  req.start.git_commit = args.commit;  // empty: the workspace's HEAD
  return DriveDeployment(args.target, std::move(req), {.interruptible = true}, global);
}

}  // namespace

void RegisterDeploy(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<DeployArgs>();
  CLI::App* cmd = app.add_subcommand("deploy", "Deploy a version to an environment progressively");
  cmd->footer(
      "Deploys VERSION to ENV with the environment's strategy (or --strategy): canary and\n"
      "blue_green put it on the idle slot, health-check it, analyse it against the stable\n"
      "slot and move traffic through the router; rolling and recreate update the instances.\n"
      "A failed health check or analysis rolls back automatically (traffic back to the\n"
      "stable slot first). Inconclusive analysis pauses: `gauntlet promote ENV` or\n"
      "`gauntlet abort ENV`. Canary steps may also pause (for a time, or until `gauntlet\n"
      "promote ENV`) and run analyses of their own; bake: keeps watching after promotion.\n"
      "Before a slot that had traffic is stopped, nginx's old workers are waited for, then\n"
      "drain:. After the switch the old slot is kept for scale_down_delay (a countdown is\n"
      "shown; `gauntlet rollback ENV` meanwhile switches back at once), then stopped.\n"
      "One deployment per environment at a time, its scale-down included: a second one is\n"
      "refused, naming the holder (it waits for a scale-down, saying so). --resume\n"
      "continues an interrupted deployment (its engine was killed) from the phase it was\n"
      "in. Commands get ${{ release.version }}, ${{ slot }}, ${{ instance }},\n"
      "${{ instance.address }}, ${{ instance.port }} as environment variables, and the\n"
      "secrets the environment lists under secrets: (from gauntlet's environment or\n"
      "--secrets-file); every secret value is masked as *** in output and records.\n"
      "With rollback_on_failure: false a failure pauses instead (traffic back on stable).\n"
      "Ctrl-C (SIGINT/SIGTERM) before promotion (or in the bake) moves traffic back to\n"
      "stable, records the deployment as rolled back (\"interrupted by a signal\") and\n"
      "exits 130.\n"
      "Exit codes: 0 deployed, 1 rolled back / failed / paused / refused, 2 usage,\n"
      "3 no pipeline file or environment, 4 internal error, 130 interrupted.\n");
  AddTargetOptions(cmd, &args->target, &global.json);
  cmd->add_option("--version", args->version, "The release version to deploy (e.g. 1.4.2)");
  cmd->add_option("--strategy", args->strategy, "Override: recreate, rolling, blue_green, canary")
      ->check(CLI::IsMember({"recreate", "rolling", "blue_green", "canary"}));
  cmd->add_option("--commit", args->commit,
                  "The release's git commit (default: the workspace's HEAD, if a repository)");
  cmd->add_flag("--resume", args->resume, "Continue the environment's interrupted deployment");
  *run = [args, &global]() { return RunDeploy(*args, global); };
}

}  // namespace gauntlet::cli
