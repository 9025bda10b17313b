#include <fmt/core.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/pipeline_arg.h"

namespace gauntlet::cli {

void RegisterValidate(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a pipeline file and report every problem");
  cmd->footer(
      "Loads the pipeline file (FILE, or gauntlet.yml/gauntlet.yaml found from the current\n"
      "directory upward), validates it and builds its plan, so that unknown keys, bad values,\n"
      "bad globs (inputs, artifacts, changes), unknown needs, deploy stages naming an\n"
      "environment not under environments:, and dependency cycles are all\n"
      "reported at once as file:line:col with the\n"
      "source line and a hint. Warnings do not make the file invalid. Exit codes: 0 valid, 1\n"
      "invalid, 2 usage error, 3 no pipeline file found, 4 internal error.\n"
      "A GitHub Actions workflow (.github/workflows/*.yml) is read as one: what gauntlet does\n"
      "not support in it (services, windows-latest, most uses: actions) is reported the same\n"
      "way (docs/github-actions.md).\n");
  cmd->add_option("FILE", *file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [file, &global]() -> int {
    LoadedPipeline loaded;
    int code = LoadPipeline(*file, &loaded);
    bool valid = code == kExitOk && loaded.ok();
    if (global.json) {
      nlohmann::json out = ProblemsJson(loaded);
      out["valid"] = valid;
      out["jobs"] = valid ? loaded.plan.jobs.size() : 0;
      fmt::print("{}\n", out.dump(2));
    } else {
      PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
      if (valid) fmt::print("{}: valid, {} jobs\n", loaded.file, loaded.plan.jobs.size());
    }
    if (code != kExitOk) return code;
    return valid ? kExitOk : kExitFailed;
  };
}

}  // namespace gauntlet::cli
