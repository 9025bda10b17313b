// The command line: `main` parses flags with CLI11 and dispatches to one
// cli/<command>.cc per subcommand through the table in cli.cc.
#pragma once

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

int Main(int argc, char** argv);

}  // namespace gauntlet::cli
