#include "cli/deploy_support.h"

#include <fmt/core.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "cli/cli.h"
#include "cli/pipeline_arg.h"
#include "cli/signals.h"
#include "engine/views_deploy.h"

namespace gauntlet::cli {
namespace {

int Refuse(const Error& e, bool json, int code) {
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"error", e.message}}.dump(2));
  } else {
    fmt::print(stderr, "gauntlet: {}\n", e.message);
  }
  return code;
}

// Prints the outcome (JSON or nothing more: the lines were the progress), returns the
// exit code.
int Report(const engine::DeploymentOutcome& out, const DeployExit& exit, int signal, bool json) {
  if (!out.record.ok()) {
    // Refused or failed by the deployer: 1; before it (the store): by the error's kind.
    return Refuse(out.record.error(), json, out.asked ? kExitFailed : ExitCodeFor(out.record.error()));
  }
  const store::DeploymentRecord& d = *out.record;
  if (json)
    fmt::print("{}\n", engine::DeploymentJson(d, out.events, true, RealClock().UnixMs()).dump(2));
  // Interrupted: the deployment was rolled back (or failed) because of the signal.
  if (exit.interruptible && signal != 0 && d.state != store::kDeploySucceeded)
    return kExitCancelled;
  return d.state == std::string(exit.success_state) ? kExitOk : kExitFailed;
}

}  // namespace

void AddTargetOptions(CLI::App* cmd, DeployTarget* target, bool* json) {
  cmd->add_option("ENV", target->environment, "The environment (a key of environments:)")
      ->required();
  cmd->add_option("-f,--file", target->file, "The pipeline file (default: gauntlet.yml, upward)");
  cmd->add_option("--state-dir", target->state_dir,
                  "The .gauntlet directory (default: beside the file)");
  cmd->add_flag("--json", *json, "Machine-readable output on stdout");
  cmd->add_option("--secrets-file", target->secrets_file,
                  "KEY=VALUE secrets for the environment's commands (else from the environment)");
}

int LocalOptionsWithServer(const DeployTarget& target) {
  if (target.file.empty() && target.state_dir.empty() && target.secrets_file.empty())
    return kExitOk;
  fmt::print(stderr,
             "gauntlet: -f, --state-dir and --secrets-file are the local store's: with --server "
             "the server's pipeline file, state and secrets apply\n");
  return kExitInvalid;
}

std::string CommandTrigger(const std::string& command) {
  std::string user;
  if (const char* u = std::getenv("USER"); u && *u) {
    user = u;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) {
    user = pw->pw_name;
  } else {
    user = std::to_string(getuid());
  }
  return fmt::format("{} by {}@{}", command, user, store::HostName());
}

int DriveDeployment(const DeployTarget& target, engine::DeploymentRequest request,
                    DeployExit exit, const GlobalOptions& global) {
  engine::LoadedPipeline loaded = engine::LoadPipeline(target.file, CurrentDir());
  if (!loaded.ok()) {
    if (!global.json) PrintProblems(loaded, false);
    Error e = loaded.status().error();
    return Refuse(Error{"cannot load the pipeline file"}, global.json, ExitCodeFor(e));
  }
  auto env = engine::FindEnvironment(loaded, target.environment);
  if (!env.ok()) return Refuse(env.error(), global.json, ExitCodeFor(env.error()));
  auto secrets = engine::CollectSecrets(loaded.pipeline(), target.secrets_file);
  if (!secrets.ok()) return Refuse(secrets.error(), global.json, ExitCodeFor(secrets.error()));
  request.environment = *env;
  request.workspace = engine::WorkspaceForFile(loaded.file, target.state_dir);
  request.secrets = std::move(*secrets);
  FILE* out = global.json ? stderr : stdout;
  request.print = [out](const std::string& line) {
    fmt::print(out, "{}\n", line);
    fflush(out);
  };
  std::unique_ptr<engine::DeploymentHandle> handle;  // outlives the watcher
  std::optional<CancelOnSignals> signals;
  if (exit.interruptible) signals.emplace(nullptr);  // before the deployment's thread
  handle = engine::StartDeployment(std::move(request));
  if (signals) {
    signals->Then([h = handle.get()] { h->Cancel(); });
    if (signals->signal() != 0) handle->Cancel();
  }
  const engine::DeploymentOutcome& outcome = handle->Wait();
  return Report(outcome, exit, signals ? signals->signal() : 0, global.json);
}

}  // namespace gauntlet::cli
