// What `gauntlet run` and `gauntlet retry` share once their own flags are read: the flags
// of running (-j, --keep-going, -v, --secrets-file, --state-dir, --wait, --json), and the face of
// a run: terminal progress, Ctrl-C as a cancel, the summary, the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/command.h"
#include "engine/pipeline.h"
#include "engine/run.h"
#include "engine/workspace.h"

namespace gauntlet::cli {

struct ExecFlags {
  int jobs = 0;
  bool keep_going = false;
  bool verbose = false;
  std::string secrets_file;
  std::string state_dir;
  bool wait = false;
  bool no_notify = false;  // --no-notify: the pipeline's `notify:` URLs are not sent to
};

// Registers the flags above on `cmd`; `state_dir_default` ends --state-dir's help.
void AddExecFlags(CLI::App* cmd, ExecFlags* flags, GlobalOptions& global,
                  const std::string& state_dir_default);

// Starts the run through the engine and renders it; returns the process exit code.
// `event`: what the run is for (`gauntlet run --event`); default: a manual run.
int ExecuteRun(const engine::LoadedPipeline& loaded, const engine::Workspace& ws,
               engine::RunOptions options, std::unique_ptr<store::Store> store,
               const ExecFlags& flags, const GlobalOptions& global,
               engine::Event event = {});

}  // namespace gauntlet::cli
