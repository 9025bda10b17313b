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
  std::vector<ReportRecord> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    ReportRecord r;
    r.run_id = s->Int(0);
    r.job_index = static_cast<int>(s->Int(1));
    r.job_name = s->Text(2);
    r.kind = s->Text(3);
    r.json = s->Text(4);
    out.push_back(std::move(r));
  }
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
  std::vector<IncidentRecord> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    IncidentRecord r;
    r.id = s->Int(0);
    r.kind = s->Text(1);
    r.git_commit = s->Text(2);
    r.environment = s->Text(3);
    r.version = s->Text(4);
    r.detail = s->Text(5);
    r.at_ms = s->Int(6);
    out.push_back(std::move(r));
  }
}

}  // namespace gauntlet::store
