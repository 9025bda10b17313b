// What the deployment commands (deploy, deployments, promote, abort, rollback) and the
// pipeline's deploy stages share: loading the environment, the engine's context, and how
// a deployment is shown (text and --json).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/pipeline_arg.h"
#include "cli/workspace.h"
#include "core/clock.h"
#include "deploy/deployer.h"
#include "store/deploy_records.h"
#include "store/store.h"

namespace gauntlet::cli {

// Options every deployment command takes.
struct DeployTarget {
  std::string environment;
  std::string file;          // -f: the pipeline file; default: gauntlet.yml found upward
  std::string state_dir;     // --state-dir
  std::string secrets_file;  // --secrets-file: KEY=VALUE lines, as for `run`
};

// An opened environment: the pipeline holding it, its workspace and store.
struct OpenedEnvironment {
  LoadedPipeline loaded;
  const spec::Environment* env = nullptr;
  Workspace ws;
  std::unique_ptr<store::Store> store;
  // Every secret of the pipeline with a value (CollectSecrets): masked, and given to the
  // environment's commands that list them.
  std::vector<std::pair<std::string, std::string>> secrets;
};

// Loads the pipeline file and finds the environment. Prints why on stderr (or as JSON
// when `json`) and sets *exit_code on failure.
std::unique_ptr<OpenedEnvironment> OpenEnvironment(const DeployTarget& target, bool json,
                                                   int* exit_code);

// The engine's context for commands run from this process: real clock, ExecCommand,
// progress lines on `out` (nullptr: none).
deploy::DeployContext MakeDeployContext(store::Store* store, Clock* clock, FILE* out);
// The same for an opened environment: its store, and its pipeline's secrets.
deploy::DeployContext MakeDeployContext(const OpenedEnvironment& opened, Clock* clock, FILE* out);

// Catches SIGINT/SIGTERM for the rest of the process and sets ctx->interrupted: the
// deployment rolls back (traffic to stable first) instead of the process dying.
void TrapInterrupts(deploy::DeployContext* ctx);
// The signal caught by TrapInterrupts, 0 if none.
int InterruptSignal();

// "deploy by alice@host" style trigger for commands typed by a person.
std::string CommandTrigger(const std::string& command);

// The deployment with its events and verdicts.
nlohmann::json DeploymentJson(const store::DeploymentRecord& d, store::Store& s, bool with_events,
                              int64_t now_ms);

// Exit code of a finished command: 0 succeeded, 1 anything else.
int DeploymentExitCode(const store::DeploymentRecord& d);

// Prints the outcome (JSON or a line), returns the exit code. Errors: refused/failed.
int ReportDeployment(const Result<store::DeploymentRecord>& r, store::Store& s, bool json);

// Registers the options shared by the deployment commands.
void AddTargetOptions(CLI::App* cmd, DeployTarget* target, bool* json);

}  // namespace gauntlet::cli
