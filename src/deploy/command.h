// How the deploy layer runs a child process: argv (never a shell string built from
// values), extra environment, a timeout. The engine runs it through exec's process runner
// (ExecCommand, exec_command.h); unit tests of pure logic may pass a fake.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

struct CommandRequest {
  std::vector<std::string> argv;                         // argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  Duration timeout{std::chrono::seconds(30)};  // then TERM to its group, KILL after a grace
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or on timeout
  int signal = 0;      // the signal that ended it, 0 if it exited
  bool timed_out = false;
  std::string output;  // stdout+stderr, capped (for error messages)
};

// Runs the command to completion. An Error only when it could not be started.
using CommandRunner = std::function<Result<CommandResult>(const CommandRequest&)>;

// A user's shell command from the config as argv: {"/bin/sh", "-c", command, name}.
// Values (weights, addresses) go after it as "$1"... or in env, never into the string.
std::vector<std::string> ShellArgv(const std::string& command, const std::string& name);

}  // namespace gauntlet::deploy
