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
      "`gauntlet abort ENV`. One deployment per environment at a time: a second one is\n"
      "refused, naming the holder. --resume continues an interrupted deployment (its\n"
      "engine was killed) from the phase it was in. Commands get ${{ release.version }},\n"
      "${{ slot }}, ${{ instance }} as environment variables (docs/deploy.md), and the\n"
      "secrets the environment lists under secrets: (from gauntlet's environment or\n"
      "--secrets-file); every secret value is masked as *** in output and records.\n"
      "With rollback_on_failure: false a failure pauses instead (traffic back on stable).\n"
      "Ctrl-C (SIGINT/SIGTERM) before promotion moves traffic back to stable, records the\n"
      "deployment as rolled back (\"interrupted by a signal\") and exits 130.\n"
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
