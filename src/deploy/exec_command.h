// The deploy layer's CommandRunner on exec's process runner (exec/local_runner.h), so a
// deploy command, a `command` health probe, a command router or nginx is spawned, timed
// out and killed exactly like a job: own process group, stdin from /dev/null, TERM to
// the whole group at the timeout and KILL after a grace.
#pragma once

#include <string>

#include "deploy/command.h"

namespace gauntlet::deploy {

struct ExecCommandOptions {
  Duration kill_grace{std::chrono::seconds(5)};  // from TERM to KILL after the timeout
};

// Runs request.argv (argv[0] looked up in PATH, no shell of our own) with the inherited
// environment plus request.env, to completion. What it leaves running in the background
// with its output redirected (a server it starts) survives it; the command counts as
// finished when every holder of its output has closed it. Output (stdout+stderr) is
// captured up to 64 KiB; the rest is read and dropped. An Error only when it could not
// be started.
Result<CommandResult> ExecCommand(const CommandRequest& request);

// The same with other options (tests use a short grace), in `working_directory` (the
// workspace; empty: the engine's working directory).
CommandRunner ExecCommandRunner(ExecCommandOptions options, std::string working_directory = "");

}  // namespace gauntlet::deploy
