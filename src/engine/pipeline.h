// A pipeline file found, loaded and planned: what every face hands to the engine. The
// loader's and the planner's problems are kept together, so validation and planning
// errors are reported at once.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "plan/plan.h"
#include "spec/load.h"
#include "spec/problems.h"

namespace gauntlet::engine {

// `plan` points into `*load`, which therefore lives on the heap so the struct can move.
struct LoadedPipeline {
  std::string file;                        // the path used ("" when none was found)
  std::unique_ptr<spec::LoadResult> load;  // null when no file was found
  plan::Plan plan;
  spec::Problems problems;  // the loader's and the planner's (cycles), without duplicates
  bool ok() const { return load && !problems.has_errors(); }
  const spec::Pipeline& pipeline() const { return load->pipeline; }
  // Ok; kNotFound when there is no file; kInvalid when it has errors (in `problems`).
  Status status() const;
};

// Resolves `file_arg` (empty: gauntlet.yml or gauntlet.yaml found from `start_dir` upward),
// loads it and builds the plan. A missing file is a problem in `problems` too.
LoadedPipeline LoadPipeline(const std::string& file_arg, const std::string& start_dir);

// The same for a file's text read from elsewhere (a commit, not the disk): the server
// reads the pipeline file at the commit a run or a verdict is about. `file` names it in
// problems.
LoadedPipeline LoadPipelineText(const std::string& text, const std::string& file);

}  // namespace gauntlet::engine
