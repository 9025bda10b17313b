#include "cli/cli.h"

#include <unistd.h>

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"

namespace gauntlet::cli {

int ExitCodeFor(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kInvalid:
      return kExitInvalid;
    case ErrorKind::kNotFound:
      return kExitNotFound;
    case ErrorKind::kConflict:
      return kExitFailed;
    case ErrorKind::kStorage:
      return kExitStorage;
    case ErrorKind::kBusy:
      return kExitBusy;
    case ErrorKind::kUnavailable:
    case ErrorKind::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int Fail(const Error& e) {
  fmt::print(stderr, "gauntlet: {}\n", e.message);
  return ExitCodeFor(e);
}

std::string CurrentDir() {
  std::error_code ec;
  std::string dir = std::filesystem::current_path(ec).string();
  return ec ? "" : dir;
}

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
