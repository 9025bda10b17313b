// What went wrong in one failed job, for `gauntlet diagnose` and agents: the
// diagnostics its parsers find in its log, the failed tests of its JUnit report,
// the category of the fix, a one-line suggestion and the end of its log. Pure:
// the caller reads the log, the report and the matcher files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gate/diagnostic.h"
#include "gate/junit.h"
#include "gate/problem_matcher.h"
#include "gate/repo_paths.h"

namespace gauntlet::gate {

struct JobDiagnosisInput {
  std::string_view log;              // the job's last attempt, as stored (masked)
  std::vector<std::string> parsers;  // built-in parser names (gate/parsers.h)
  std::vector<ProblemMatcher> matchers;
  const TestReport* junit = nullptr;  // the stored report; its paths are repository paths
  const RepoPaths* paths = nullptr;   // maps the log's paths to repository paths
  int tail_lines = 20;
};

struct JobDiagnosis {
  // The log's diagnostics in parser order, then the report's failed tests that
  // the log did not already show (same file and line).
  std::vector<Diagnostic> diagnostics;
  std::optional<Category> category;   // of the diagnostic to fix first; none without diagnostics
  std::string suggestion;             // gate::SuggestFix, "" without diagnostics
  std::string log_tail;               // the last `tail_lines` lines
  std::vector<std::string> warnings;  // a parser that could not run
};

JobDiagnosis DiagnoseJob(const JobDiagnosisInput& input);

// The last `n` lines of `text` (a final line without newline counts), ending with
// a newline when `text` has any line; "" for n <= 0.
std::string LastLines(std::string_view text, int n);

}  // namespace gauntlet::gate
