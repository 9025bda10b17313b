#include "store/run_recorder.h"

#include <algorithm>

#include "store/artifact_manifest.h"

namespace gauntlet::store {

JobStatus ToJobStatus(const exec::JobResult& r) {
  switch (r.state) {
    case exec::JobState::kSuccess: return r.cached ? JobStatus::kCached : JobStatus::kSuccess;
    case exec::JobState::kFailed: return JobStatus::kFailed;
    case exec::JobState::kSkipped: return JobStatus::kSkipped;
    case exec::JobState::kCancelled: return JobStatus::kCancelled;
  }
  return JobStatus::kFailed;
}

RunStatus ToRunStatus(exec::RunState state) {
  switch (state) {
    case exec::RunState::kSuccess: return RunStatus::kSuccess;
    case exec::RunState::kFailed: return RunStatus::kFailed;
    case exec::RunState::kCancelled: return RunStatus::kCancelled;
  }
  return RunStatus::kFailed;
}

RunRecorder::RunRecorder(Store* store, LogWriter* log, RunRecord* run, NowMs now)
    : store_(store), log_(log), run_(run), now_(std::move(now)) {}

RunRecorder::~RunRecorder() {
  if (in_batch_) store_->Rollback();
}

void RunRecorder::Check(Status s) {
  if (!s.ok() && status_.ok()) status_ = s;
}

void RunRecorder::EnsureBatch() {
  if (!in_batch_) {
    Check(store_->Begin());
    in_batch_ = true;
  }
  dirty_ = true;
}

void RunRecorder::OnRunStarted(const plan::Plan& plan) {
  plan_ = &plan;
  run_start_ms_ = now_();
  started_.assign(plan.jobs.size(), Started{});
  // Every planned job is listed as pending at once, so `status` shows the whole run.
  EnsureBatch();
  std::vector<std::pair<int, std::string_view>> pending;
  pending.reserve(plan.jobs.size());
  for (const plan::PlannedJob& job : plan.jobs) {
    if (!Kept(job.id)) pending.emplace_back(job.id, job.name);
  }
  Check(store_->AddPendingJobs(run_->id, pending));
  Flush();
}

void RunRecorder::OnJobStarted(const plan::PlannedJob& job, int attempt) {
  Started& s = started_[job.id];
  if (s.first_ms == 0) s.first_ms = now_();  // the job's start time is its first attempt's
  s.attempts = attempt;
  s.running = true;
  s.written = false;
  unwritten_.push_back(job.id);
}

void RunRecorder::OnOutput(const plan::PlannedJob& job, int attempt, std::string_view bytes) {
  Check(log_->Append(static_cast<uint32_t>(job.id), static_cast<uint16_t>(attempt), bytes));
}

void RunRecorder::OnAttemptFinished(const plan::PlannedJob& job, int attempt,
                                    const exec::AttemptResult& r) {
  EnsureBatch();
  AttemptRecord a;
  a.run_id = run_->id;
  a.job_index = job.id;
  a.number = attempt;
  a.exit_code = r.exit_code;
  a.signal = r.signal;
  a.timed_out = r.timed_out;
  a.wall_ms = r.wall.count() / 1000;
  a.user_cpu_ms = r.user_cpu.count() / 1000;
  a.sys_cpu_ms = r.sys_cpu.count() / 1000;
  a.max_rss_kb = r.max_rss_kb;
  a.finished_ms = now_();
  a.started_ms = a.finished_ms - a.wall_ms;
  attempts_.push_back(a);
}

UnixMs RunRecorder::ReadyMs(const plan::PlannedJob& job) const {
  UnixMs ready = run_start_ms_;
  for (plan::JobId n : job.needs) ready = std::max(ready, started_[n].done_ms);
  return ready;
}

void RunRecorder::OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& r) {
  Started& s = started_[job.id];
  // A job carried over from an earlier run finished before this engine started.
  const UnixMs now = now_();
  s.done_ms = r.resumed ? run_start_ms_ : now;
  if (r.resumed && Kept(job.id)) return;
  EnsureBatch();
  s.running = false;
  JobRecord rec;
  rec.run_id = run_->id;
  rec.index = job.id;
  rec.name = job.name;
  rec.status = ToJobStatus(r);
  rec.reason = r.reason;
  if (r.continued_on_error && rec.reason.empty()) rec.reason = "failed; continue_on_error";
  rec.started_ms = s.first_ms;
  rec.finished_ms = now;
  if (s.first_ms > 0) rec.ready_ms = ReadyMs(job);
  rec.attempts = std::max(s.attempts, r.attempts);
  rec.outputs = Outputs(r.outputs.begin(), r.outputs.end());
  rec.cache_key = r.cache_key;
  // Jobs without `artifacts:` or `inputs:` have neither field set: no statement for them.
  if (!r.artifacts.empty() || (!r.cache_key.empty() && r.state == exec::JobState::kSuccess))
    RecordCache(job, r, rec.outputs);
  finished_.push_back(std::move(rec));
}

void RunRecorder::RecordCache(const plan::PlannedJob& job, const exec::JobResult& r,
                              const Outputs& outputs) {
  uint64_t files = 0, bytes = 0;
  if (!r.artifacts.empty()) {
    auto manifest = ManifestFromJson(r.artifacts);
    if (!manifest.ok()) return Check(manifest.error());
    for (const ArtifactEntry& e : *manifest) bytes += e.size;
    files = manifest->size();
    ArtifactRecord rec;
    rec.run_id = run_->id;
    rec.job_index = job.id;
    rec.job = job.name;
    rec.manifest = r.artifacts;
    rec.files = files;
    rec.bytes = bytes;
    Check(store_->RecordArtifacts(rec));
  }
  if (r.cache_key.empty() || r.state != exec::JobState::kSuccess) return;
  if (r.cached) {
    // Written with the others, in one statement; an entry used less than a minute ago
    // keeps that time: a re-run seconds after the last rewrites no rows (cache prune
    // measures days, docs/caching.md).
    if (now_() - r.cache_last_used_ms >= kCacheUseResolutionMs) hits_.push_back(r.cache_key);
    return;
  }
  UnixMs now = now_();
  if (r.resumed) return;  // carried over from an earlier run, which recorded it
  CacheEntry e;
  e.key = r.cache_key;
  e.pipeline = run_->pipeline;
  e.job = job.name;
  e.run_id = run_->id;
  e.job_index = job.id;
  e.outputs = outputs;
  e.artifacts = r.artifacts.empty() ? "[]" : r.artifacts;
  e.bytes = bytes;
  e.created_ms = now;
  e.last_used_ms = now;
  Check(store_->PutCacheEntry(e));
}

void RunRecorder::OnRunFinished(const exec::RunResult& r) {
  if (late_) late_(run_, /*wait=*/true);
  late_ = nullptr;
  EnsureBatch();
  run_->status = ToRunStatus(r.state);
  run_->finished_ms = now_();
  if (!r.storage_error.empty()) run_->reason = StorageErrorReason(r.storage_error);
  if (run_->reason.empty() && r.state == exec::RunState::kFailed)
    run_->reason = std::to_string(r.failed) + " job(s) failed";
  if (run_->reason.empty() && r.state == exec::RunState::kCancelled) run_->reason = "cancelled";
  Check(store_->UpdateRun(*run_));
  Flush();
}

void RunRecorder::WritePending() {
  for (const AttemptRecord& a : attempts_) Check(store_->AttemptFinished(a));
  attempts_.clear();
  for (const JobRecord& j : finished_) Check(store_->UpsertJob(j));
  finished_.clear();
  if (!hits_.empty()) {
    Check(store_->TouchCacheEntries(hits_, now_()));
    hits_.clear();
  }
}

void RunRecorder::Idle() { WritePending(); }

void RunRecorder::Flush() {
  WritePending();
  for (int id : unwritten_) {
    Started& s = started_[id];
    if (!s.running || s.written) continue;
    EnsureBatch();
    Check(store_->JobStarted(run_->id, id, plan_->jobs[id].name, s.first_ms, s.attempts));
    s.written = true;
  }
  unwritten_.clear();
  if (late_ && late_(run_, /*wait=*/false)) {
    EnsureBatch();
    Check(store_->UpdateRun(*run_));
    late_ = nullptr;
  }
  if (!dirty_) return;
  // Output first, then the rows that say the job finished.
  Check(log_->Flush());
  if (in_batch_) {
    if (before_commit_) before_commit_();
    Check(store_->Commit());
    in_batch_ = false;
  }
  dirty_ = false;
}

}  // namespace gauntlet::store
