#include "gate/report_recorder.h"

#include <nlohmann/json.hpp>

#include "gate/job_reports.h"
#include "gate/report_json.h"

namespace gauntlet::gate {

namespace {

bool HasReports(const plan::PlannedJob& job) {
  return job.spec != nullptr &&
         (!job.spec->reports.junit.empty() || !job.spec->reports.coverage.empty());
}

}  // namespace

ReportRecorder::ReportRecorder(store::Store* store, store::LogWriter* log, store::RunId run,
                               Options options)
    : store_(store), log_(log), run_(run), options_(std::move(options)) {}

void ReportRecorder::Check(Status s) {
  if (!s.ok() && status_.ok()) status_ = s;
}

void ReportRecorder::OnJobStarted(const plan::PlannedJob& job, int attempt) {
  // A report older than the job's first attempt was left by an earlier run.
  if (attempt == 1 && HasReports(job)) started_ms_[job.id] = options_.now_ms();
}

// A resumed run already holds the reports of the jobs it keeps, a retry those
// carried from the run it retries: they count in the metrics too.
void ReportRecorder::Seed() {
  if (seeded_) return;
  seeded_ = true;
  auto stored = store_->GetReports(run_);
  if (!stored.ok()) {
    Check(stored.error());
    return;
  }
  for (const store::ReportRecord& r : *stored) {
    if (r.kind == kWarningsReportKind) had_warnings_.insert(r.job_index);
    per_job_[r.job_index].SetStored(r);
  }
}

void ReportRecorder::OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) {
  if (!HasReports(job)) return;
  // Reports are read when the job ran now and got as far as running a command.
  if (result.resumed || result.attempts == 0) return;
  if (result.state != exec::JobState::kSuccess && result.state != exec::JobState::kFailed) return;
  Seed();

  JobReportContext context;
  context.workspace_root = options_.workspace_root;
  context.job_dir = job.working_directory;
  context.repo_root = options_.repo_root;
  auto started = started_ms_.find(job.id);
  context.not_before_ms = started == started_ms_.end() ? 0 : started->second;
  JobReports reports = ReadJobReports(job.spec->reports, context);

  auto put = [&](const char* kind, const nlohmann::json& json) {
    store::ReportRecord record;
    record.run_id = run_;
    record.job_index = job.id;
    record.job_name = job.name;
    record.kind = kind;
    record.json = options_.masker ? options_.masker->MaskJson(json).dump() : json.dump();
    Check(store_->PutReport(record));
  };
  ReportTotals& t = per_job_[job.id];
  if (reports.tests) {
    put("junit", ToJson(*reports.tests));
    t.SetTests(*reports.tests);
  }
  if (reports.coverage) {
    put("coverage", ToJson(*reports.coverage));
    t.SetCoverage(*reports.coverage);
  }
  // Also written empty over an earlier attempt's (a job re-run by --resume). Masked by put.
  if (!reports.warnings.empty() || had_warnings_.count(job.id))
    put(kWarningsReportKind, {{"warnings", reports.warnings}});
  const auto last_attempt = static_cast<uint16_t>(result.attempts);
  for (std::string& w : reports.warnings) {
    if (options_.masker) w = options_.masker->MaskString(w);
    Check(log_->Append(static_cast<uint32_t>(job.id), last_attempt,
                       "gauntlet: warning: " + w + "\n"));
    warnings_.push_back("job '" + job.name + "': " + w);
  }
  if (reports.tests || reports.coverage) UpdateMetrics();
}

void ReportRecorder::UpdateMetrics() { Check(WriteRunMetrics(*store_, run_, per_job_)); }

}  // namespace gauntlet::gate
