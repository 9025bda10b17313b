// The command table: every command documents itself in --help (docs/cli.md: "every
// command takes --json"; each lists its exit codes), checked in-process over the same
// table `main` dispatches from, so a new command cannot skip it.
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace gauntlet::cli {
namespace {

TEST(CommandTableTest, EveryCommandHelpsWithExitCodesAndJson) {
  CLI::App app{"gauntlet"};
  GlobalOptions global;
  std::vector<Runner> runners(std::size(kCommands));
  for (size_t i = 0; i < std::size(kCommands); ++i) kCommands[i](app, global, &runners[i]);
  std::set<std::string> names;
  for (const CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; })) {
    names.insert(cmd->get_name());
    const std::string help = cmd->help();
    EXPECT_NE(help.find("--json"), std::string::npos) << cmd->get_name() << ":\n" << help;
    EXPECT_NE(help.find("Exit codes"), std::string::npos) << cmd->get_name() << ":\n" << help;
    EXPECT_FALSE(cmd->get_description().empty()) << cmd->get_name();
  }
  // The commands docs/cli.md describes.
  for (const char* documented :
       {"validate", "plan",   "graph",    "run",       "runs",        "status",  "logs",
        "retry",    "cancel", "diagnose", "deploy",    "deployments", "promote", "abort",
        "rollback", "gate",   "trust",    "artifacts", "cache",       "version",
        "mcp",      "audit",  "notifications"}) {
    EXPECT_EQ(names.count(documented), 1u) << documented;
  }
}

}  // namespace
}  // namespace gauntlet::cli
