#include "plan/graph.h"

#include <fmt/core.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/pipeline_arg.h"

namespace gauntlet::cli {

void RegisterGraph(CLI::App& app, GlobalOptions& global, Runner* run) {
  struct Options {
    std::string file;
    std::string format = "text";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("graph", "Draw the job graph (text, Graphviz DOT, Mermaid)");
  cmd->footer(
      "Loads and plans the pipeline file and prints its DAG of concrete jobs: as a text listing\n"
      "by level (each job with what it needs), as Graphviz DOT (pipe into `dot -Tsvg`) or as a\n"
      "Mermaid flowchart (paste into Markdown). The critical path, the longest chain of jobs,\n"
      "is marked with `*` in text and drawn bold red in DOT and Mermaid; deploy steps are\n"
      "hexagons. --json prints the rendered text plus the nodes and edges as data. Exit codes:\n"
      "0 ok, 1 invalid file, 2 usage error, 3 no pipeline file found, 4 internal error.\n");
  cmd->add_option("FILE", opts->file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_option("--format", opts->format, "text | dot | mermaid (default text)")
      ->check(CLI::IsMember({"text", "dot", "mermaid"}));
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [opts, &global]() -> int {
    auto format = plan::ParseGraphFormat(opts->format);
    if (!format) {
      fmt::print(stderr, "gauntlet graph: {}\n", format.error().message);
      return kExitInvalid;
    }
    LoadedPipeline loaded;
    int code = LoadPipeline(opts->file, &loaded);
    bool valid = code == kExitOk && loaded.ok();
    if (global.json) {
      nlohmann::json out = valid ? plan::GraphJson(loaded.plan) : nlohmann::json::object();
      out["file"] = loaded.file;
      out["format"] = opts->format;
      out["output"] = valid ? plan::Render(loaded.plan, *format) : "";
      out["problems"] = loaded.problems.ToJson();
      out["valid"] = valid;
      fmt::print("{}\n", out.dump(2));
    } else {
      PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
      if (valid) fmt::print("{}", plan::Render(loaded.plan, *format));
    }
    if (code != kExitOk) return code;
    return valid ? kExitOk : kExitFailed;
  };
}

}  // namespace gauntlet::cli
