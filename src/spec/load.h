// Loading a pipeline file: YAML -> spec::Pipeline, with every problem located.
#pragma once

#include <string>

#include "spec/model.h"
#include "spec/problems.h"

namespace gauntlet::spec {

struct LoadResult {
  Pipeline pipeline;  // as much as could be read, even when there are errors
  Problems problems;  // YAML, type, unknown-key and validation problems, all of them
  std::string source; // the file text, for printing problems
  bool ok() const { return !problems.has_errors(); }
};

// Reads and validates `path`. Never throws.
LoadResult LoadFile(const std::string& path);
// Same, from text (`path` only names it in messages).
LoadResult LoadString(const std::string& text, const std::string& path);

// Finds gauntlet.yml / gauntlet.yaml in `dir` or its parents; "" when none.
std::string FindPipelineFile(const std::string& dir);

}  // namespace gauntlet::spec
