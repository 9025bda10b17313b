// The FILE argument shared by validate, plan and graph: find, load, plan, and report.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "plan/plan.h"
#include "spec/load.h"
#include "spec/problems.h"

namespace gauntlet::cli {

// A pipeline file loaded and planned. `plan` points into `*load`, which therefore lives
// on the heap so the struct can be moved.
struct LoadedPipeline {
  std::string file;                        // the path used ("" when none was found)
  std::unique_ptr<spec::LoadResult> load;  // null when no file was found
  plan::Plan plan;
  spec::Problems problems;  // the loader's and the planner's (cycles), without duplicates
  bool ok() const { return load && !problems.has_errors(); }
};

// Resolves `file_arg` (or gauntlet.yml found from the working directory upward), loads it
// and builds the plan, so that validation and planning errors are reported together.
// Returns kExitOk, or kExitNotFound with the reason in `problems`.
int LoadPipeline(const std::string& file_arg, LoadedPipeline* out);

// Problems, sorted and with source lines, on stderr (warnings too).
void PrintProblems(const LoadedPipeline& loaded, bool color);

// {"file","problems":[...]}: the fields every --json output of these commands shares.
nlohmann::json ProblemsJson(const LoadedPipeline& loaded);

}  // namespace gauntlet::cli
