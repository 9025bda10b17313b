// User-defined diagnostics in GitHub's problem-matcher JSON format:
//   {"problemMatcher": [{"owner": "...", "severity": "warning",
//     "pattern": [{"regexp": "...", "file": 1, "line": 2, "column": 3,
//                  "severity": 4, "code": 5, "message": 6, "loop": true}]}]}
// Regexps are compiled with RE2 (linear time; no lookaround, no
// backreferences: such patterns are rejected with a clear error).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gate/diagnostic.h"
#include "gate/parsers.h"

namespace gauntlet::gate {

struct MatcherPattern {
  std::shared_ptr<const RE2> regexp;
  std::string source;  // the regexp as written
  // Capture group numbers (0: not captured).
  int file = 0, from_path = 0, line = 0, column = 0, end_line = 0, end_column = 0;
  int severity = 0, code = 0, message = 0;
  bool loop = false;
};

struct ProblemMatcher {
  std::string owner;
  Severity default_severity = Severity::kError;
  // gauntlet's reading of the owner: "lint-shellcheck" or "lint:shellcheck"
  // gives category lint (any category name as the prefix); otherwise other.
  Category category = Category::kOther;
  std::vector<MatcherPattern> patterns;
};

// Parses and compiles a problem-matcher file's text; `origin` names it in errors.
Result<std::vector<ProblemMatcher>> LoadProblemMatchers(std::string_view json_text,
                                                        const std::string& origin = "matcher");

// Runs every matcher over the log. File paths come out relative to repo_root.
std::vector<Diagnostic> RunProblemMatchers(const std::vector<ProblemMatcher>& matchers,
                                           std::string_view log, const ParseOptions& options = {});

}  // namespace gauntlet::gate
