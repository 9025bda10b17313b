// `gauntlet promote ENV`: a person's decision on a paused (inconclusive) deployment:
// the step counts as passed and the deployment goes on in this process.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

int RunPromote(const DeployTarget& target, const GlobalOptions& global) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kPromote;
  // Ctrl-C rolls back, as during `gauntlet deploy`.
  return DriveDeployment(target, std::move(req), {.interruptible = true}, global);
}

}  // namespace

void RegisterPromote(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto target = std::make_shared<DeployTarget>();
  CLI::App* cmd = app.add_subcommand("promote", "Continue a paused deployment");
  cmd->footer(
      "A deployment whose analysis was inconclusive pauses for a person. promote takes the\n"
      "step as passed and drives the deployment on (next canary step, or promotion) in this\n"
      "process, with the same analysis and automatic rollback for the steps that follow.\n"
      "A failure held by rollback_on_failure: false: a failed analysis or step counts as\n"
      "passed too; a failed deploy command, health check or promotion is run again.\n"
      "Ctrl-C (SIGINT/SIGTERM) before promotion rolls back and exits 130, as for deploy.\n"
      "Exit codes: 0 deployed, 1 rolled back / failed / paused again / nothing paused,\n"
      "2 usage, 3 no pipeline file or environment, 4 internal error, 130 interrupted.\n");
  AddTargetOptions(cmd, target.get(), &global.json);
  *run = [target, &global]() { return RunPromote(*target, global); };
}

}  // namespace gauntlet::cli
