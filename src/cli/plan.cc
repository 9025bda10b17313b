#include <fmt/core.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/pipeline_arg.h"
#include "plan/describe.h"

namespace gauntlet::cli {

void RegisterPlan(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("plan", "Show the concrete jobs a run would execute, in order");
  cmd->footer(
      "Loads and plans the pipeline file without running anything, then prints every concrete\n"
      "job (matrix combinations expanded, stage ordering turned into needs, deploy stages as\n"
      "'deploy: ENV' steps) in execution order, one block per job with every key the file sets:\n"
      "needs, stage, matrix values, commands, if, env, timeout, retry, shell, working\n"
      "directory, language, inputs, outputs, artifacts, reports, diagnostics, secrets, change\n"
      "filters, cache, and for deploys the environment, strategy and rollback_on_failure.\n"
      "--json prints all of it with defaults resolved. Exit codes: 0 ok, 1 invalid file, 2\n"
      "usage error, 3 no pipeline file found, 4 internal error.\n");
  cmd->add_option("FILE", *file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [file, &global]() -> int {
    LoadedPipeline loaded;
    int code = LoadPipeline(*file, &loaded);
    bool valid = code == kExitOk && loaded.ok();
    if (global.json) {
      nlohmann::json out = valid ? plan::DescribeJson(loaded.plan) : nlohmann::json::object();
      out["file"] = loaded.file;
      out["problems"] = loaded.problems.ToJson();
      out["valid"] = valid;
      fmt::print("{}\n", out.dump(2));
    } else {
      PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
      if (valid) fmt::print("{}", plan::DescribeText(loaded.plan));
    }
    if (code != kExitOk) return code;
    return valid ? kExitOk : kExitFailed;
  };
}

}  // namespace gauntlet::cli
