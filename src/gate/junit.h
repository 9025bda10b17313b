// JUnit XML reports from any producer (pytest, jest-junit, go-junit-report,
// Maven surefire, ...): test counts and one Diagnostic per failed test.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "gate/diagnostic.h"
#include "gate/parsers.h"

namespace gauntlet::gate {

struct TestReport {
  int tests = 0;
  int failures = 0;  // assertion failures (<failure>)
  int errors = 0;    // unexpected errors (<error>)
  int skipped = 0;
  double time_seconds = 0;
  std::vector<Diagnostic> diagnostics;  // one per failed or errored test, category test

  int passed() const { return tests - failures - errors - skipped; }
};

// Reads <testsuites>/<testsuite>/<testcase> with <failure>, <error> and
// <skipped> children. Counts come from the test cases themselves (a suite's
// attributes are used only when it lists no cases). A failure's file:line is
// the testcase's file/line attributes when present, else found in its text.
Result<TestReport> ParseJUnit(std::string_view xml, const ParseOptions& options = {});

// Adds `more` to `into` (a job with several report files).
void Merge(TestReport& into, TestReport more);

}  // namespace gauntlet::gate
