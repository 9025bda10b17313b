// Where a job's tools said a file is, as a path relative to the repository root.
// Tools print paths relative to the job's working directory (gcc main.c, pytest
// tests/test_a.py, lcov's relative SF:) or absolute; diagnostics, test reports
// and coverage are compared with the diff and shown to agents, which all speak
// in repository paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gate/coverage.h"
#include "gate/diagnostic.h"

namespace gauntlet::gate {

class RepoPaths {
 public:
  // `repo_root` and `job_dir` are absolute; the job's directory need not be
  // under the repository (then relative paths are kept as they are).
  RepoPaths(std::string repo_root, const std::string& job_dir);

  // An absolute path under the root: relative to it; outside it: unchanged. A
  // relative path: joined to the job's directory and made relative to the root
  // (unchanged when that would leave the repository). "" stays "".
  std::string Map(std::string_view path) const;

  void Apply(std::vector<Diagnostic>& diagnostics) const;
  void Apply(Coverage& coverage) const;

  // The job's directory relative to the root ("" for the root itself).
  const std::string& job_prefix() const { return prefix_; }

 private:
  std::string root_;
  std::string prefix_;
  bool inside_ = true;
};

}  // namespace gauntlet::gate
