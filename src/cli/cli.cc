#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace gauntlet::cli {

int Main(int argc, char** argv) {
  CLI::App app{"gauntlet: a CI/CD engine in one binary", "gauntlet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", GAUNTLET_VERSION);
  CLI11_PARSE(app, argc, argv);
  return kExitOk;
}

}  // namespace gauntlet::cli
