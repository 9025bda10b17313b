#include "engine/pipeline.h"

#include <filesystem>
#include <system_error>

namespace gauntlet::engine {
namespace {

bool SameLocation(const Location& a, const Location& b) {
  return a.file == b.file && a.line == b.line && a.col == b.col;
}

// The planner validates `needs` too: keep one report per location.
void AddPlanProblems(const spec::Problems& planned, spec::Problems* out) {
  spec::Problems extra;
  for (const spec::Problem& p : planned.all()) {
    bool dup = false;
    for (const spec::Problem& q : out->all())
      if (SameLocation(p.loc, q.loc) && p.loc.line != 0) dup = true;
    if (dup) continue;
    if (p.severity == spec::Severity::kError)
      extra.Error(p.loc, p.message, p.hint);
    else
      extra.Warning(p.loc, p.message, p.hint);
  }
  out->Append(extra);
}

void PlanLoaded(std::unique_ptr<spec::LoadResult> load, LoadedPipeline* out) {
  out->load = std::move(load);
  out->problems = out->load->problems;
  spec::Problems planned;
  out->plan = plan::Build(out->load->pipeline, &planned);
  AddPlanProblems(planned, &out->problems);
}

}  // namespace

Status LoadedPipeline::status() const {
  if (!load) {
    const auto& all = problems.all();
    return Error::NotFound(all.empty() ? "no pipeline file" : all.front().message);
  }
  if (problems.has_errors()) return Error::Invalid("invalid pipeline file " + file);
  return Ok();
}

LoadedPipeline LoadPipeline(const std::string& file_arg, const std::string& start_dir) {
  LoadedPipeline out;
  std::string file = file_arg;
  std::error_code ec;
  if (file.empty()) {
    file = spec::FindPipelineFile(start_dir);
    if (file.empty()) {
      out.problems.Error({}, "no gauntlet.yml or gauntlet.yaml in this directory or its parents",
                         "pass the pipeline file: gauntlet COMMAND path/to/gauntlet.yml");
      return out;
    }
  } else if (!std::filesystem::is_regular_file(file, ec)) {
    out.file = file;
    out.problems.Error({file, 0, 0}, "no such pipeline file: " + file);
    return out;
  }
  out.file = file;
  PlanLoaded(std::make_unique<spec::LoadResult>(spec::LoadFile(file)), &out);
  return out;
}

LoadedPipeline LoadPipelineText(const std::string& text, const std::string& file) {
  LoadedPipeline out;
  out.file = file;
  PlanLoaded(std::make_unique<spec::LoadResult>(spec::LoadString(text, file)), &out);
  return out;
}

}  // namespace gauntlet::engine
