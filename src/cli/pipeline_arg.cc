#include "cli/pipeline_arg.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace gauntlet::cli {

int LoadPipeline(const std::string& file_arg, LoadedPipeline* out) {
  *out = engine::LoadPipeline(file_arg, CurrentDir());
  return out->load ? kExitOk : kExitNotFound;
}

void PrintProblems(const LoadedPipeline& loaded, bool color) {
  if (loaded.problems.all().empty()) return;
  std::string text = loaded.problems.Format(loaded.load ? loaded.load->source : "", color);
  std::fputs(text.c_str(), stderr);
}

nlohmann::json ProblemsJson(const LoadedPipeline& loaded) {
  return {{"file", loaded.file}, {"problems", loaded.problems.ToJson()}};
}

int ReportLoadFailure(const LoadedPipeline& loaded, const GlobalOptions& global,
                      const std::string& json_status) {
  if (global.json && !json_status.empty()) {
    nlohmann::json out = ProblemsJson(loaded);
    out["status"] = json_status;
    fmt::print("{}\n", out.dump(2));
  } else {
    PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
  }
  Status s = loaded.status();
  return s.ok() ? kExitInvalid : ExitCodeFor(s.error());
}

}  // namespace gauntlet::cli
