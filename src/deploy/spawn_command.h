// A minimal posix_spawn CommandRunner: until exec's process runner is wired into deploy,
// and for tests. The child gets its own process group, killed whole on timeout.
#pragma once

#include "deploy/command.h"

namespace gauntlet::deploy {

// Output is captured up to 64 KiB; the rest is read and dropped.
Result<CommandResult> SpawnCommand(const CommandRequest& request);

}  // namespace gauntlet::deploy
