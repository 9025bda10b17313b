// Coverage reports: lcov (.info), Cobertura XML (gcovr, coverage.py, JaCoCo's
// converters, ...) and istanbul's coverage-summary.json, read into totals and,
// where the format has them, per-file covered/uncovered line sets, so that
// coverage of the lines a change touched can be computed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gate/parsers.h"

namespace gauntlet::gate {

struct FileCoverage {
  std::string file;
  std::set<int> covered;    // executable lines run at least once
  std::set<int> uncovered;  // executable lines never run
  int lines_total = 0;
  int lines_covered = 0;
  int branches_total = 0;
  int branches_covered = 0;
};

enum class CoverageFormat { kLcov, kCobertura, kIstanbulSummary };

struct Coverage {
  CoverageFormat format = CoverageFormat::kLcov;
  bool has_line_sets = false;  // false for coverage-summary.json (totals only)
  std::vector<FileCoverage> files;
  int lines_total = 0;
  int lines_covered = 0;
  int branches_total = 0;
  int branches_covered = 0;

  double LinePercent() const;    // 100 when there are no lines
  double BranchPercent() const;  // 100 when there are no branches
  const FileCoverage* Find(const std::string& file) const;
};

// Reads any of the three formats, recognised by content. File paths come out
// relative to options.repo_root.
Result<Coverage> ParseCoverage(std::string_view text, const ParseOptions& options = {});
Result<Coverage> ParseLcov(std::string_view text, const ParseOptions& options = {});
Result<Coverage> ParseCobertura(std::string_view text, const ParseOptions& options = {});
Result<Coverage> ParseIstanbulSummary(std::string_view text, const ParseOptions& options = {});

struct NewCodeResult {
  int executable = 0;  // changed lines that are executable (covered or not)
  int covered = 0;
  std::map<std::string, std::set<int>> uncovered;  // changed lines never run, per file
  bool measurable = true;                          // false when the report has no per-line data

  double Percent() const;  // 100 when no changed line is executable
};

// Coverage of the changed lines (file -> line numbers, from the diff): a
// changed line counts when the report knows it as executable.
NewCodeResult NewCodeCoverage(const Coverage& coverage,
                              const std::map<std::string, std::set<int>>& changed_lines);

}  // namespace gauntlet::gate
