#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"

namespace gauntlet::cli {

int Main(int argc, char** argv) {
  CLI::App app{"gauntlet: a CI/CD engine in one binary.\nRun `gauntlet COMMAND --help` for a command.",
               "gauntlet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", GAUNTLET_VERSION);
  GlobalOptions global;
  bool no_color = false;
  app.add_flag("--no-color", no_color, "Plain output without colours");

  std::vector<Runner> runners(std::size(kCommands));
  for (size_t i = 0; i < std::size(kCommands); ++i) kCommands[i](app, global, &runners[i]);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInvalid;
  }
  global.color = !no_color && isatty(STDOUT_FILENO) && !global.json;
  auto subs = app.get_subcommands();
  for (size_t i = 0; i < runners.size(); ++i) {
    if (runners[i] && subs.size() == 1 && app.get_subcommands({})[i] == subs[0]) return runners[i]();
  }
  return kExitInternal;
}

}  // namespace gauntlet::cli
