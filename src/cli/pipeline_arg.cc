#include "cli/pipeline_arg.h"

#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "cli/cli.h"

namespace gauntlet::cli {
namespace {

bool SameLocation(const Location& a, const Location& b) {
  return a.file == b.file && a.line == b.line && a.col == b.col;
}

}  // namespace

int LoadPipeline(const std::string& file_arg, LoadedPipeline* out) {
  std::string file = file_arg;
  if (file.empty()) {
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (!ec) file = spec::FindPipelineFile(cwd.string());
    if (file.empty()) {
      out->problems.Error({}, "no gauntlet.yml or gauntlet.yaml in this directory or its parents",
                          "pass the pipeline file: gauntlet COMMAND path/to/gauntlet.yml");
      return kExitNotFound;
    }
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      out->file = file;
      out->problems.Error({file, 0, 0}, "no such pipeline file: " + file);
      return kExitNotFound;
    }
  }
  out->file = file;
  out->load = std::make_unique<spec::LoadResult>(spec::LoadFile(file));
  out->problems = out->load->problems;
  spec::Problems planned;
  out->plan = plan::Build(out->load->pipeline, &planned);
  // The loader validates `needs` too; keep one report per location.
  spec::Problems extra;
  for (const spec::Problem& p : planned.all()) {
    bool dup = false;
    for (const spec::Problem& q : out->problems.all())
      if (SameLocation(p.loc, q.loc) && p.loc.line != 0) dup = true;
    if (dup) continue;
    if (p.severity == spec::Severity::kError)
      extra.Error(p.loc, p.message, p.hint);
    else
      extra.Warning(p.loc, p.message, p.hint);
  }
  out->problems.Append(extra);
  return kExitOk;
}

void PrintProblems(const LoadedPipeline& loaded, bool color) {
  if (loaded.problems.all().empty()) return;
  std::string text = loaded.problems.Format(loaded.load ? loaded.load->source : "", color);
  std::fputs(text.c_str(), stderr);
}

nlohmann::json ProblemsJson(const LoadedPipeline& loaded) {
  return {{"file", loaded.file}, {"problems", loaded.problems.ToJson()}};
}

}  // namespace gauntlet::cli
