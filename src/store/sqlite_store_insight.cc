// SqliteStore: the reads of `gauntlet insight` (insight_records.h, docs/insight.md).
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Status SqliteStore::VisitRunHistory(const HistoryFilter& f,
                                    const std::function<void(const HistoryRun&)>& visit) {
  // Runs in commit order (the runs_by_commit index, then id), each joined with its jobs
  // by primary key: the rows arrive grouped as promised without sorting the job rows,
  // which is what a million of them would cost (docs/insight.md, "Speed"). Retried jobs
  // (rare) look up the wall time of their earlier attempts.
  std::string sql =
      "SELECT r.id, r.pipeline, r.status, r.started_ms, r.finished_ms, r.git_commit, "
      "r.git_branch, r.slots, r.needs, j.idx, j.name, j.status, j.ready_ms, j.started_ms, "
      "j.finished_ms, j.attempts, j.cache_key, CASE WHEN j.attempts > 1 THEN (SELECT "
      "total(a.wall_ms) FROM attempts a WHERE a.run_id = j.run_id AND a.job_idx = j.idx AND "
      "a.number < j.attempts) ELSE 0 END "
      "FROM runs r INDEXED BY runs_by_commit CROSS JOIN jobs j ON j.run_id = r.id "
      "WHERE r.started_ms >= ? AND r.started_ms < ?";
  if (f.pipeline) sql += " AND r.pipeline = ?";
  if (f.branch) sql += " AND r.git_branch = ?";
  sql += " ORDER BY r.git_commit, r.id, j.idx";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  s->Bind(f.since).Bind(f.until > 0 ? f.until : INT64_MAX);
  if (f.pipeline) s->Bind(*f.pipeline);
  if (f.branch) s->Bind(*f.branch);

  HistoryRun run;  // reused: its strings and job vector keep their capacity
  bool have_run = false;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    RunId id = s->Int(0);
    if (!have_run || id != run.id) {
      if (have_run) visit(run);
      have_run = true;
      run.id = id;
      run.pipeline = s->Text(1);
      run.status = ParseRunStatus(s->Text(2)).value_or(RunStatus::kFailed);
      run.started_ms = s->Int(3);
      run.finished_ms = s->Int(4);
      run.git_commit = s->Text(5);
      run.git_branch = s->Text(6);
      run.slots = static_cast<int>(s->Int(7));
      run.needs = s->Text(8);
      run.jobs.clear();
    }
    HistoryJob& j = run.jobs.emplace_back();
    j.index = static_cast<int>(s->Int(9));
    j.name = s->Text(10);
    j.status = ParseJobStatus(s->Text(11)).value_or(JobStatus::kFailed);
    j.ready_ms = s->Int(12);
    j.started_ms = s->Int(13);
    j.finished_ms = s->Int(14);
    j.attempts = static_cast<int>(s->Int(15));
    j.cache_key = s->Text(16);
    j.retried_ms = static_cast<int64_t>(s->Real(17));
  }
  if (have_run) visit(run);
  return Ok();
}

Result<std::vector<DeploymentHistory>> SqliteStore::ListDeploymentHistory(UnixMs since) {
  // The commit time comes from any run of the same commit (runs_by_commit): deployments
  // do not record it themselves.
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT d.id, d.environment, d.version, d.strategy, d.state, d.git_commit, d.started_ms, "
      "d.finished_ms, CASE WHEN d.git_commit = '' THEN 0 ELSE coalesce((SELECT max(r.commit_ms) "
      "FROM runs r WHERE r.git_commit = d.git_commit), 0) END "
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
  }
}

}  // namespace gauntlet::store
