// Where a job's tools said a file is, as a path relative to the repository root.
// Tools print paths relative to the directory they ran in (gcc main.c, pytest
// tests/test_a.py, lcov's relative SF:) or absolute; diagnostics, test reports
// and coverage are compared with the diff and shown to agents, which all speak
// in repository paths.
//
// A tool may also run somewhere else than the job's directory (`cd src && gcc -c a.c`
// prints a.c): with a RepoFiles, a diagnostic's path is placed where a file is (the
// job's directory, else the one tracked file ending in that path), never at a path
// that does not exist; a path found nowhere is kept as the tool printed it and flagged
// (Diagnostic::file_unresolved). And a file outside the repository (a system header) is
// never a diagnostic's primary location when one of its notes is in the repository.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gate/coverage.h"
#include "gate/diagnostic.h"
#include "gate/repo_files.h"

namespace gauntlet::gate {

class RepoPaths {
 public:
  // `repo_root` and `job_dir` are absolute; the job's directory need not be
  // under the repository (then relative paths are kept as they are). Without `files`
  // paths are only mapped, never checked (`files` must outlive this object).
  RepoPaths(std::string repo_root, const std::string& job_dir, const RepoFiles* files = nullptr);

  // An absolute path under the root: relative to it; outside it: unchanged. A
  // relative path: joined to the job's directory and made relative to the root
  // (unchanged when that would leave the repository). "" stays "".
  std::string Map(std::string_view path) const;

  struct Placed {
    std::string path;
    bool found = true;  // false: no file at that path (only known with RepoFiles)
  };
  // Map's answer when a file is there (or without RepoFiles); else, for a relative path,
  // the one tracked file ending in it (one under the job's directory first); else
  // Map's answer, not found. Absolute paths outside the repository count as found.
  Placed Place(std::string_view path) const;

  void Apply(std::vector<Diagnostic>& diagnostics) const;
  void Apply(Coverage& coverage) const;

  // The job's directory relative to the root ("" for the root itself).
  const std::string& job_prefix() const { return prefix_; }

 private:
  std::string root_;
  std::string prefix_;
  bool inside_ = true;
  const RepoFiles* files_ = nullptr;
};

// Makes a diagnostic reported in a file outside the repository (absolute path) point at
// the note that leads into the repository: g++'s "required from here", else the last
// in-repository note (an include chain's outermost file). The outside location becomes a
// note. Notes' paths must already be repository paths.
void PreferRepositoryLocation(Diagnostic& d);

}  // namespace gauntlet::gate
