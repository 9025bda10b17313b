// The table of subcommands, in the order `--help` lists them.
#pragma once

#include "cli/command.h"

namespace gauntlet::cli {

void RegisterVersion(CLI::App& app, GlobalOptions& global, Runner* run);

inline constexpr Registrar kCommands[] = {
    RegisterVersion,
};

}  // namespace gauntlet::cli
