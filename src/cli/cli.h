// The command line: `main` parses flags with CLI11 and dispatches to one
// cli/<command>.cc per subcommand through the table in cli.cc.
#pragma once

#include <string>

#include "core/result.h"

namespace gauntlet::cli {

// Exit codes shared by every command (docs/cli.md).
enum ExitCode {
  kExitOk = 0,
  kExitFailed = 1,       // a run failed, or validation found errors
  kExitInvalid = 2,      // the pipeline file is invalid (run), or usage error
  kExitNotFound = 3,     // no pipeline file / run / job
  kExitInternal = 4,     // an unexpected error in gauntlet itself
  kExitStorage = 5,      // the run could not be recorded (a full disk): stopped, resumable
  kExitBusy = 6,         // another engine holds the workspace or the run
  kExitCancelled = 130,  // interrupted (SIGINT/SIGTERM) or cancelled
};

// The exit code for an error of this kind: invalid 2, not found 3, conflict 1 (the
// request cannot be done now), storage 5, busy 6, unavailable and internal 4.
int ExitCodeFor(const Error& e);

// Prints "gauntlet: MESSAGE" on stderr and returns ExitCodeFor(e).
int Fail(const Error& e);

// The process's working directory ("" if it cannot be read): where commands look for
// the pipeline file and the history when none is given.
std::string CurrentDir();

int Main(int argc, char** argv);

}  // namespace gauntlet::cli
