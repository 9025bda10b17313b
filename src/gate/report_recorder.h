// Records the reports of jobs that name some (`reports:`): when such a job
// finishes (success or failure), its JUnit and coverage files are read
// (gate/job_reports.h), stored with Store::PutReport in the JSON of
// gate/report_json.h, and the run's metrics are updated (gate/report_metrics.h:
// tests.total, tests.failed, tests.skipped, coverage.line, coverage.branch,
// summed over the run's jobs, those it already holds included: the jobs of a
// resumed run, the reports carried into a retry by gate/carry_reports.h).
// Problems with a report (missing, stale, unparseable, escaping the workspace) are
// warnings: appended to the job's log, stored as a report of kind "warnings"
// ({"warnings": ["..."]}) for `gauntlet status`, and kept for the run's summary.
//
// Must be added to the observer list right AFTER the store::RunRecorder: the
// recorder's OnJobFinished opens the batch that its Flush commits, so the reports
// and metrics become durable in the same transaction as the job's result.
// Jobs without `reports:` cost nothing: no store statement, no file system call.
// Used on the scheduler's thread only.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exec/masker.h"
#include "exec/observer.h"
#include "gate/report_metrics.h"
#include "store/log_store.h"
#include "store/store.h"

namespace gauntlet::gate {

// ReportRecord::kind of a job's report warnings.
inline constexpr const char* kWarningsReportKind = "warnings";

class ReportRecorder : public exec::Observer {
 public:
  struct Options {
    std::string workspace_root;  // absolute; jobs' working directories are relative to it
    std::string repo_root;       // absolute; report paths are stored relative to it
    std::function<int64_t()> now_ms;
    // Masks secrets in what is stored and shown (test names, messages, bodies, warnings:
    // a job writes its report files itself). Null: nothing to mask.
    const exec::Masker* masker = nullptr;
  };
  // `store` and `log` must outlive the recorder.
  ReportRecorder(store::Store* store, store::LogWriter* log, store::RunId run, Options options);

  void OnJobStarted(const plan::PlannedJob& job, int attempt) override;
  void OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) override;

  // "job 'unit': junit report 'report.xml' no such file (...)", in the order found.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The first store error, if any (recording goes on best-effort after one).
  const Status& status() const { return status_; }
  Status RecordingStatus() const override { return status_; }

 private:
  void Seed();
  void UpdateMetrics();
  void Check(Status s);

  store::Store* store_;
  store::LogWriter* log_;
  store::RunId run_;
  Options options_;
  std::map<int, int64_t> started_ms_;  // jobs with reports only
  // Per job index, what its reports add to the run's metrics (earlier jobs of a
  // resumed run included, read back once).
  std::map<int, ReportTotals> per_job_;
  std::set<int> had_warnings_;  // jobs with a stored "warnings" report
  bool seeded_ = false;
  std::vector<std::string> warnings_;
  Status status_ = Ok();
};

}  // namespace gauntlet::gate
