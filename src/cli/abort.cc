// `gauntlet abort ENV`: rolls back a paused or interrupted deployment.
#include <fmt/core.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/deploy_support.h"

namespace gauntlet::cli {
namespace {

int RunAbort(const DeployTarget& target, const GlobalOptions& global) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kAbort;
  // Aborting is the request: a completed rollback is success.
  return DriveDeployment(target, std::move(req), {.success_state = store::kDeployRolledBack},
                         global);
}

}  // namespace

void RegisterAbort(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto target = std::make_shared<DeployTarget>();
  CLI::App* cmd = app.add_subcommand("abort", "Roll back a paused or interrupted deployment");
  cmd->footer(
      "Rolls back the environment's paused deployment, or one whose engine is gone: traffic\n"
      "back to the stable slot first, then the new slot stopped; an incident is recorded.\n"
      "A deployment driven by a live process is refused (it rolls back on its own).\n"
      "Exit codes: 0 rolled back, 1 could not (nothing to abort, router failed),\n"
      "2 usage, 3 no pipeline file or environment, 4 internal error.\n");
  AddTargetOptions(cmd, target.get(), &global.json);
  *run = [target, &global]() { return RunAbort(*target, global); };
}

}  // namespace gauntlet::cli
