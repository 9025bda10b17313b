#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"

namespace gauntlet::cli {

void RegisterVersion(CLI::App& app, GlobalOptions& global, Runner* run) {
  CLI::App* cmd = app.add_subcommand("version", "Print gauntlet's version");
  cmd->add_flag("--json", global.json, "Machine-readable output: {\"version\": \"...\"}");
  cmd->footer("Exit codes: 0 printed.");
  *run = [&global] {
    if (global.json)
      fmt::print("{}\n", nlohmann::json{{"version", GAUNTLET_VERSION}}.dump());
    else
      fmt::print("gauntlet {}\n", GAUNTLET_VERSION);
    return kExitOk;
  };
}

}  // namespace gauntlet::cli
