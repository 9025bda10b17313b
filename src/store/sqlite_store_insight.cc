// SqliteStore: the reads of `gauntlet insight` (insight_records.h, docs/insight.md).
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Status SqliteStore::VisitRunHistory(const HistoryFilter& f,
                                    const std::function<void(const HistoryRun&)>& visit) {
  // Two statements stepped side by side, both in commit order (the runs_by_commit index,
  // then id): the runs with their own columns, and their jobs joined by primary key with
  // only the run's id. The rows arrive grouped as promised without sorting the job rows,
  // and a run's text columns are read once, not once per job: half the time of one
  // joined statement over a million job rows (docs/insight.md, "Speed"). Both run in the
  // connection's one read transaction, so they see the same runs. Retried jobs (rare)
  // look up the wall time of their earlier attempts.
  std::string where = " WHERE r.started_ms >= ? AND r.started_ms < ?";
  if (f.pipeline) where += " AND r.pipeline = ?";
  if (f.branch) where += " AND r.git_branch = ?";
  std::lock_guard lock(read_mu_);
  auto runs = reader_->Prepare(
      "SELECT r.id, r.pipeline, r.status, r.started_ms, r.finished_ms, r.git_commit, "
      "r.git_branch, r.slots, r.needs FROM runs r INDEXED BY runs_by_commit" +
      where + " ORDER BY r.git_commit, r.id");
  if (!runs.ok()) return runs.error();
  auto jobs = reader_->Prepare(
      "SELECT r.id, j.idx, j.name, j.status, j.ready_ms, j.started_ms, j.finished_ms, "
      "j.attempts, j.cache_key, CASE WHEN j.attempts > 1 THEN (SELECT total(a.wall_ms) FROM "
      "attempts a WHERE a.run_id = j.run_id AND a.job_idx = j.idx AND a.number < j.attempts) "
      "ELSE 0 END FROM runs r INDEXED BY runs_by_commit CROSS JOIN jobs j ON j.run_id = r.id" +
      where + " ORDER BY r.git_commit, r.id, j.idx");
  if (!jobs.ok()) return jobs.error();
  for (SqliteStmt* s : {&*runs, &*jobs}) {
    s->Bind(f.since).Bind(f.until > 0 ? f.until : INT64_MAX);
    if (f.pipeline) s->Bind(*f.pipeline);
    if (f.branch) s->Bind(*f.branch);
  }
  HistoryRun run;  // reused: its strings and job vector keep their capacity
  auto job_row = jobs->Step();
  if (!job_row.ok()) return job_row.error();
  while (true) {
    auto row = runs->Step();
    if (!row.ok()) return row.error();
    if (!*row) return Ok();
    run.id = runs->Int(0);
    run.pipeline = runs->Text(1);
    run.status = ParseRunStatus(runs->Text(2)).value_or(RunStatus::kFailed);
    run.started_ms = runs->Int(3);
    run.finished_ms = runs->Int(4);
    run.git_commit = runs->Text(5);
    run.git_branch = runs->Text(6);
    run.slots = static_cast<int>(runs->Int(7));
    run.needs = runs->Text(8);
    run.jobs.clear();
    for (; job_row.ok() && *job_row && jobs->Int(0) == run.id; job_row = jobs->Step()) {
      HistoryJob& j = run.jobs.emplace_back();
      j.index = static_cast<int>(jobs->Int(1));
      j.name = jobs->Text(2);
      j.status = ParseJobStatus(jobs->Text(3)).value_or(JobStatus::kFailed);
      j.ready_ms = jobs->Int(4);
      j.started_ms = jobs->Int(5);
      j.finished_ms = jobs->Int(6);
      j.attempts = static_cast<int>(jobs->Int(7));
      j.cache_key = jobs->Text(8);
      j.retried_ms = static_cast<int64_t>(jobs->Real(9));
    }
    if (!job_row.ok()) return job_row.error();
    if (!run.jobs.empty()) visit(run);  // a run with no job row yet has nothing to say
  }
}

Result<std::vector<DeploymentHistory>> SqliteStore::ListDeploymentHistory(UnixMs since) {
  // The commit time comes from any run of the same commit (runs_by_commit): deployments
  // do not record it themselves.
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT d.id, d.environment, d.version, d.strategy, d.state, d.git_commit, d.started_ms, "
      "d.finished_ms, CASE WHEN d.git_commit = '' THEN 0 ELSE coalesce((SELECT max(r.commit_ms) "
      "FROM runs r WHERE r.git_commit = d.git_commit), 0) END, d.observed_requests, "
      "d.observed_errors, d.observed_p50_ms, d.observed_p95_ms, d.observed_p99_ms "
      "FROM deployments d WHERE d.finished_ms >= ? "
      "ORDER BY d.environment, d.started_ms, d.id");
  if (!s.ok()) return s.error();
  s->Bind(since);
  std::vector<DeploymentHistory> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    DeploymentHistory& d = out.emplace_back();
    d.id = s->Int(0);
    d.environment = s->Text(1);
    d.version = s->Text(2);
    d.strategy = s->Text(3);
    d.state = s->Text(4);
    d.git_commit = s->Text(5);
    d.started_ms = s->Int(6);
    d.finished_ms = s->Int(7);
    d.commit_ms = s->Int(8);
    if (const int64_t requests = s->Int(9); requests > 0) {
      d.observed_error_rate = static_cast<double>(s->Int(10)) / static_cast<double>(requests);
      d.observed_p50_ms = s->Real(11);
      d.observed_p95_ms = s->Real(12);
      d.observed_p99_ms = s->Real(13);
    }
  }
}

}  // namespace gauntlet::store
