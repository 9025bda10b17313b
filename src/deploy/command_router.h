// Routes traffic with the user's own switch command (a load-balancer API call, a
// DNS update, a symlink flip...). The command gets the weights as arguments and in
// its environment; values are never spliced into the command string:
//   argv:  COMMAND... SLOT=WEIGHT ...                        (one per slot, in order)
//   env:   GAUNTLET_WEIGHTS="blue=100,green=0"
//          GAUNTLET_WEIGHT_<SLOT>=W  GAUNTLET_ADDRESS_<SLOT>=host:port
// (<SLOT> upper-cased, other characters than A-Z 0-9 turned into '_').
// A non-zero exit is an error carrying the command's output.
#pragma once

#include <string>
#include <vector>

#include "deploy/command.h"
#include "deploy/router.h"

namespace gauntlet::deploy {

class CommandRouter : public Router {
 public:
  // `argv` is the command; for a config string use ShellArgv(command, "gauntlet-router"),
  // which makes the slot arguments "$1", "$2", ...
  CommandRouter(std::vector<std::string> argv, CommandRunner run,
                Duration timeout = std::chrono::seconds(60));
  Result<bool> SetWeights(const std::vector<SlotWeight>& weights) override;

  // The request SetWeights runs (exposed for tests and `--dry-run`).
  CommandRequest Request(const std::vector<SlotWeight>& weights) const;

 private:
  std::vector<std::string> argv_;
  CommandRunner run_;
  Duration timeout_;
};

}  // namespace gauntlet::deploy
