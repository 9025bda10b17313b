// `${{ }}` in an environment's commands (deploy, stop, hooks, health command). The values
// (release version, slot, instance) never become shell text: each reference is rewritten
// into a reference to an environment variable that gauntlet sets for the command:
//   ${{ release.version }}   -> ${GAUNTLET_RELEASE_VERSION}
//   ${{ slot }}              -> ${GAUNTLET_SLOT}
//   ${{ instance }}          -> ${GAUNTLET_INSTANCE}        (same as slot for two-slot strategies)
//   ${{ instance.address }}  -> ${GAUNTLET_ADDRESS}
//   ${{ instance.port }}     -> ${GAUNTLET_PORT}
//   ${{ env.NAME }}          -> ${NAME}
// so `/bin/sh -c` expands them as data. User documentation: docs/deploy.md.
#pragma once

#include <string>

#include "core/result.h"

namespace gauntlet::spec {

// The command with every `${{ }}` rewritten; an Error naming the first unknown reference.
Result<std::string> RenderDeployCommand(const std::string& command);

}  // namespace gauntlet::spec
