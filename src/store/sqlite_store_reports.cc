// SqliteStore: job reports and incidents (the gates' inputs). Schema in sqlite_schema.h.
#include <mutex>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Status SqliteStore::PutReport(const ReportRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO reports (run_id, job_idx, job_name, kind, body) VALUES (?,?,?,?,?) "
      "ON CONFLICT (run_id, job_idx, kind) DO UPDATE SET job_name=excluded.job_name, "
      "body=excluded.body");
  if (!s.ok()) return s.error();
  s->Bind(r.run_id).Bind(r.job_index).Bind(r.job_name).Bind(r.kind).Bind(r.json);
  return s->Run();
}

Result<std::vector<ReportRecord>> SqliteStore::GetReports(RunId run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT run_id, job_idx, job_name, kind, body FROM reports WHERE run_id=? "
      "ORDER BY job_idx, kind");
  if (!s.ok()) return s.error();
  s->Bind(run);
  return CollectRows<ReportRecord>(*s, [](const SqliteStmt& row) {
    ReportRecord r;
    r.run_id = row.Int(0);
    r.job_index = static_cast<int>(row.Int(1));
    r.job_name = row.Text(2);
    r.kind = row.Text(3);
    r.json = row.Text(4);
    return r;
  });
}

Result<int64_t> SqliteStore::RecordIncident(const IncidentRecord& i) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO incidents (kind, git_commit, environment, version, detail, at_ms) "
      "VALUES (?,?,?,?,?,?)");
  if (!s.ok()) return s.error();
  s->Bind(i.kind).Bind(i.git_commit).Bind(i.environment).Bind(i.version).Bind(i.detail);
  s->Bind(i.at_ms);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->LastInsertId();
}

Result<std::vector<IncidentRecord>> SqliteStore::ListIncidents(UnixMs since) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT id, kind, git_commit, environment, version, detail, at_ms FROM incidents "
      "WHERE at_ms>=? ORDER BY at_ms, id");
  if (!s.ok()) return s.error();
  s->Bind(since);
  return CollectRows<IncidentRecord>(*s, [](const SqliteStmt& row) {
    IncidentRecord r;
    r.id = row.Int(0);
    r.kind = row.Text(1);
    r.git_commit = row.Text(2);
    r.environment = row.Text(3);
    r.version = row.Text(4);
    r.detail = row.Text(5);
    r.at_ms = row.Int(6);
    return r;
  });
}

}  // namespace gauntlet::store
