// The run metrics that job reports make, summed over the run's jobs:
//   tests.total, tests.failed (failures + errors), tests.skipped
//   coverage.line, coverage.branch   (percent of the lines/branches summed over
//                                     jobs; coverage.branch only when a report
//                                     has branches)
// Shared by the report recorder (jobs that ran) and CarryReports (jobs a run
// takes from an earlier one), so both count the same way.
#pragma once

#include <map>

#include "core/result.h"
#include "gate/coverage.h"
#include "gate/junit.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::gate {

// What one job's reports add to the run's metrics.
struct ReportTotals {
  int tests = 0, failed = 0, skipped = 0;
  int lines_total = 0, lines_covered = 0, branches_total = 0, branches_covered = 0;
  bool has_tests = false, has_coverage = false;

  void SetTests(const TestReport& report);
  void SetCoverage(const Coverage& coverage);
  // From a stored report (report_json.h); other kinds and unreadable ones add nothing.
  void SetStored(const store::ReportRecord& report);
};

// Sets the run's metrics from its jobs' totals (by job index). Metrics no job
// has a report for are left alone. Goes on after a store error; returns the first.
Status WriteRunMetrics(store::Store& store, store::RunId run,
                       const std::map<int, ReportTotals>& per_job);

}  // namespace gauntlet::gate
