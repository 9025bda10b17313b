// SqliteStore: releases and their steps. Schema in sqlite_schema.cc. Each call is its own
// transaction (a release records a handful of rows, each worth keeping if it is killed).
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

constexpr const char* kReleaseColumns =
    "id, pipeline, package, version, previous_version, tag, git_commit, branch, status, reason, "
    "deployment_id, notes, started_ms, finished_ms";

ReleaseRecord ReadRelease(const SqliteStmt& row) {
  ReleaseRecord r;
  r.id = row.Int(0);
  r.pipeline = row.Text(1);
  r.package = row.Text(2);
  r.version = row.Text(3);
  r.previous_version = row.Text(4);
  r.tag = row.Text(5);
  r.git_commit = row.Text(6);
  r.branch = row.Text(7);
  r.status = row.Text(8);
  r.reason = row.Text(9);
  r.deployment_id = row.Int(10);
  r.notes = row.Text(11);
  r.started_ms = row.Int(12);
  r.finished_ms = row.Int(13);
  return r;
}

}  // namespace

Result<int64_t> SqliteStore::CreateRelease(const ReleaseRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO releases (pipeline, package, version, previous_version, tag, git_commit, "
      "branch, status, reason, deployment_id, notes, started_ms, finished_ms) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.error();
  s->Bind(r.pipeline).Bind(r.package).Bind(r.version).Bind(r.previous_version).Bind(r.tag);
  s->Bind(r.git_commit).Bind(r.branch).Bind(r.status).Bind(r.reason).Bind(r.deployment_id);
  s->Bind(r.notes).Bind(r.started_ms).Bind(r.finished_ms);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->LastInsertId();
}

Status SqliteStore::UpdateRelease(const ReleaseRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE releases SET version=?, previous_version=?, tag=?, git_commit=?, branch=?, "
      "status=?, reason=?, deployment_id=?, notes=?, started_ms=?, finished_ms=? WHERE id=?");
  if (!s.ok()) return s.error();
  s->Bind(r.version).Bind(r.previous_version).Bind(r.tag).Bind(r.git_commit).Bind(r.branch);
  s->Bind(r.status).Bind(r.reason).Bind(r.deployment_id).Bind(r.notes).Bind(r.started_ms);
  s->Bind(r.finished_ms).Bind(r.id);
  return s->Run();
}

Status SqliteStore::RecordReleaseStep(const ReleaseStepRecord& st) {
  std::lock_guard lock(write_mu_);
  // A step recorded again (running, then its result) keeps its place in the order.
  auto s = writer_->Prepare(
      "INSERT INTO release_steps (release_id, step, seq, result, detail, started_ms, finished_ms) "
      "VALUES (?1, ?2, (SELECT COUNT(*) FROM release_steps WHERE release_id=?1), ?3, ?4, ?5, ?6) "
      "ON CONFLICT (release_id, step) DO UPDATE SET result=excluded.result, "
      "detail=excluded.detail, started_ms=excluded.started_ms, finished_ms=excluded.finished_ms");
  if (!s.ok()) return s.error();
  s->Bind(st.release_id).Bind(st.step).Bind(st.result).Bind(st.detail).Bind(st.started_ms);
  s->Bind(st.finished_ms);
  return s->Run();
}

Result<std::vector<ReleaseRecord>> SqliteStore::ListReleases(std::string_view pipeline,
                                                             std::optional<std::string> package,
                                                             int limit) {
  std::string sql = std::string("SELECT ") + kReleaseColumns + " FROM releases WHERE pipeline=?";
  if (package) sql += " AND package=?";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  s->Bind(pipeline);
  if (package) s->Bind(*package);
  s->Bind(limit);
  return CollectRows<ReleaseRecord>(*s, ReadRelease);
}

Result<std::vector<ReleaseStepRecord>> SqliteStore::GetReleaseSteps(int64_t id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT release_id, step, result, detail, started_ms, finished_ms FROM release_steps "
      "WHERE release_id=? ORDER BY seq");
  if (!s.ok()) return s.error();
  s->Bind(id);
  return CollectRows<ReleaseStepRecord>(*s, [](const SqliteStmt& row) {
    ReleaseStepRecord r;
    r.release_id = row.Int(0);
    r.step = row.Text(1);
    r.result = row.Text(2);
    r.detail = row.Text(3);
    r.started_ms = row.Int(4);
    r.finished_ms = row.Int(5);
    return r;
  });
}

}  // namespace gauntlet::store
