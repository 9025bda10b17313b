#include "gate/report_metrics.h"

#include "gate/report_json.h"

namespace gauntlet::gate {
namespace {

double Percent(int covered, int total) { return total == 0 ? 100.0 : 100.0 * covered / total; }

}  // namespace

void ReportTotals::SetTests(const TestReport& report) {
  has_tests = true;
  tests = report.tests;
  failed = report.failures + report.errors;
  skipped = report.skipped;
}

void ReportTotals::SetCoverage(const Coverage& coverage) {
  has_coverage = true;
  lines_total = coverage.lines_total;
  lines_covered = coverage.lines_covered;
  branches_total = coverage.branches_total;
  branches_covered = coverage.branches_covered;
}

void ReportTotals::SetStored(const store::ReportRecord& report) {
  if (report.kind == "junit") {
    if (auto t = TestReportFromJson(report.json); t.ok()) SetTests(*t);
  } else if (report.kind == "coverage") {
    if (auto c = CoverageFromJson(report.json); c.ok()) SetCoverage(*c);
  }
}

Status WriteRunMetrics(store::Store& store, store::RunId run,
                       const std::map<int, ReportTotals>& per_job) {
  ReportTotals sum;
  for (const auto& [index, t] : per_job) {
    if (t.has_tests) {
      sum.has_tests = true;
      sum.tests += t.tests;
      sum.failed += t.failed;
      sum.skipped += t.skipped;
    }
    if (t.has_coverage) {
      sum.has_coverage = true;
      sum.lines_total += t.lines_total;
      sum.lines_covered += t.lines_covered;
      sum.branches_total += t.branches_total;
      sum.branches_covered += t.branches_covered;
    }
  }
  Status first = Ok();
  auto check = [&](Status s) {
    if (!s.ok() && first.ok()) first = s;
  };
  if (sum.has_tests) {
    check(store.SetMetric(run, "tests.total", sum.tests));
    check(store.SetMetric(run, "tests.failed", sum.failed));
    check(store.SetMetric(run, "tests.skipped", sum.skipped));
  }
  if (sum.has_coverage) {
    check(store.SetMetric(run, "coverage.line", Percent(sum.lines_covered, sum.lines_total)));
    if (sum.branches_total > 0)
      check(store.SetMetric(run, "coverage.branch",
                            Percent(sum.branches_covered, sum.branches_total)));
  }
  return first;
}

}  // namespace gauntlet::gate
