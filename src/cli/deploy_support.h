// What the deployment commands (deploy, promote, abort, rollback) share: their target
// options, and the face of a deployment: load the environment, drive it through the
// engine with progress lines, Ctrl-C as a cancel where it applies, report it (text or
// --json) and choose the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/command.h"
#include "cli/server_client.h"
#include "engine/deployment.h"
#include "store/deploy_records.h"

namespace gauntlet::cli {

// Options every deployment command takes.
struct DeployTarget {
  std::string environment;
  std::string file;          // -f: the pipeline file; default: gauntlet.yml found upward
  std::string state_dir;     // --state-dir
  std::string secrets_file;  // --secrets-file: KEY=VALUE lines, as for `run`
};

// The local options (-f, --state-dir, --secrets-file) with --server, where the server's
// own apply: a usage error (exit 2), said on stderr; else kExitOk.
int LocalOptionsWithServer(const DeployTarget& target);

// Registers the options shared by the deployment commands.
void AddTargetOptions(CLI::App* cmd, DeployTarget* target, bool* json);

// "deploy by alice@host" style trigger for commands typed by a person.
std::string CommandTrigger(const std::string& command);

// How a deployment command ends.
struct DeployExit {
  // Ctrl-C (SIGINT/SIGTERM) cancels: before promotion the deployment rolls back and the
  // command exits 130. Otherwise the signals keep their default action.
  bool interruptible = false;
  const char* success_state = store::kDeploySucceeded;  // the state that exits 0
};

// Loads the target's environment, fills `request` with it (environment, workspace,
// secrets, progress), drives it and reports it. Returns the exit code.
int DriveDeployment(const DeployTarget& target, engine::DeploymentRequest request,
                    DeployExit exit, const GlobalOptions& global);

}  // namespace gauntlet::cli
