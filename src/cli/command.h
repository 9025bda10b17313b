// One subcommand: its CLI11 set-up and what it runs. Each cli/<name>.cc defines a
// Register<Name> function listed in the table in cli.cc.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace gauntlet::cli {

// Options every command takes.
struct GlobalOptions {
  bool json = false;     // machine output on stdout
  bool color = false;    // set from isatty(stdout) unless --no-color
};

// Adds the subcommand to `app`; sets *run to the code executed when it is chosen.
// The returned int is the process exit code (cli.h ExitCode).
using Runner = std::function<int()>;
using Registrar = void (*)(CLI::App& app, GlobalOptions& global, Runner* run);

}  // namespace gauntlet::cli
