#include "deploy/command.h"

namespace gauntlet::deploy {

std::vector<std::string> ShellArgv(const std::string& command, const std::string& name) {
  return {"/bin/sh", "-c", command, name};
}

}  // namespace gauntlet::deploy
