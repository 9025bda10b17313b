// `gauntlet deploy ENV --version V [--strategy S] | --resume`: one deployment, driven
// by this process to its end (succeeded, rolled back, failed) or to a pause.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_support.h"
#include "vcs/repo.h"

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
  int code = kExitOk;
  auto opened = OpenEnvironment(args.target, global.json, &code);
  if (!opened) return code;
  SystemClock clock;
  deploy::DeployContext ctx = MakeDeployContext(*opened, &clock, global.json ? stderr : stdout);
  TrapInterrupts(&ctx);
  deploy::Deployer deployer(*opened->env, ctx);

  // Environment commands run in the workspace, like jobs.
  std::error_code ec;
  std::filesystem::current_path(opened->ws.root, ec);
  Result<store::DeploymentRecord> r = Error{""};
  if (args.resume) {
    r = deployer.Resume();
  } else {
    deploy::DeployRequest req;
    req.version = args.version;
    req.strategy = args.strategy;
    req.trigger = CommandTrigger("deploy");
    req.git_commit = args.commit;
    if (req.git_commit.empty()) {
      auto head = vcs::HeadInfo(opened->ws.root);
      if (head.ok()) req.git_commit = head->commit;
    }
    r = deployer.Start(req);
  }
  int code_out = ReportDeployment(r, *opened->store, global.json);
  // Interrupted: the deployment was rolled back (or failed) because of the signal.
  if (InterruptSignal() != 0 && r.ok() && r->state != store::kDeploySucceeded)
    return kExitCancelled;
  return code_out;
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
