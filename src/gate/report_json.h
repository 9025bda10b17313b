// The stored form of a job's reports (store::ReportRecord::json): JUnit test
// results and coverage, as JSON, so that `gauntlet gate` and `gauntlet diagnose`
// read what the job produced when it ran.
//
//   junit:    {"tests": 12, "failures": 1, "errors": 0, "skipped": 2,
//              "time_seconds": 1.5, "diagnostics": [<gate::ToJson(Diagnostic)>...]}
//   coverage: {"format": "lcov"|"cobertura"|"istanbul-summary", "has_line_sets": true,
//              "lines_total": 10, "lines_covered": 8, "branches_total": 4,
//              "branches_covered": 3,
//              "files": [{"file": "src/a.c", "covered": [1, 2], "uncovered": [5],
//                         "lines_total": 3, "lines_covered": 2,
//                         "branches_total": 0, "branches_covered": 0}, ...]}
// Reading validates the shape and names what is wrong.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gate/coverage.h"
#include "gate/junit.h"

namespace gauntlet::gate {

nlohmann::json ToJson(const TestReport& report);
Result<TestReport> TestReportFromJson(std::string_view json);

nlohmann::json ToJson(const Coverage& coverage);
Result<Coverage> CoverageFromJson(std::string_view json);

}  // namespace gauntlet::gate
