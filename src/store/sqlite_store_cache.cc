// SqliteStore: the job cache and recorded artifacts (tables cache_entries and
// job_artifacts, see sqlite_schema.h).
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

constexpr std::string_view kCacheColumns =
    "key, pipeline, job, run_id, job_idx, outputs, artifacts, bytes, created_ms, last_used_ms";

Result<std::vector<CacheEntry>> CollectEntries(SqliteStmt& s) {
  return CollectRows<CacheEntry>(s, [](const SqliteStmt& row) {
    CacheEntry e;
    e.key = row.Text(0);
    e.pipeline = row.Text(1);
    e.job = row.Text(2);
    e.run_id = row.Int(3);
    e.job_index = static_cast<int>(row.Int(4));
    e.outputs = OutputsFromJson(row.Text(5));
    e.artifacts = row.Text(6);
    e.bytes = static_cast<uint64_t>(row.Int(7));
    e.created_ms = row.Int(8);
    e.last_used_ms = row.Int(9);
    return e;
  });
}

}  // namespace

Status SqliteStore::RecordArtifacts(const ArtifactRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO job_artifacts (run_id, job_idx, job, manifest, files, bytes) "
      "VALUES (?,?,?,?,?,?) ON CONFLICT (run_id, job_idx) DO UPDATE SET job=excluded.job, "
      "manifest=excluded.manifest, files=excluded.files, bytes=excluded.bytes");
  if (!s.ok()) return s.error();
  s->Bind(r.run_id).Bind(r.job_index).Bind(r.job).Bind(r.manifest);
  s->Bind(static_cast<int64_t>(r.files)).Bind(static_cast<int64_t>(r.bytes));
  return s->Run();
}

Result<std::vector<ArtifactRecord>> SqliteStore::GetArtifacts(RunId run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT run_id, job_idx, job, manifest, files, bytes FROM job_artifacts WHERE run_id=? "
      "ORDER BY job_idx");
  if (!s.ok()) return s.error();
  s->Bind(run);
  return CollectRows<ArtifactRecord>(*s, [](const SqliteStmt& row) {
    ArtifactRecord r;
    r.run_id = row.Int(0);
    r.job_index = static_cast<int>(row.Int(1));
    r.job = row.Text(2);
    r.manifest = row.Text(3);
    r.files = static_cast<uint64_t>(row.Int(4));
    r.bytes = static_cast<uint64_t>(row.Int(5));
    return r;
  });
}

Status SqliteStore::PutCacheEntry(const CacheEntry& e) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO cache_entries (" + std::string(kCacheColumns) +
      ") VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (key) DO UPDATE SET "
      "pipeline=excluded.pipeline, job=excluded.job, run_id=excluded.run_id, "
      "job_idx=excluded.job_idx, outputs=excluded.outputs, artifacts=excluded.artifacts, "
      "bytes=excluded.bytes, created_ms=excluded.created_ms, last_used_ms=excluded.last_used_ms");
  if (!s.ok()) return s.error();
  s->Bind(e.key).Bind(e.pipeline).Bind(e.job).Bind(e.run_id).Bind(e.job_index);
  s->Bind(OutputsToJson(e.outputs)).Bind(e.artifacts).Bind(static_cast<int64_t>(e.bytes));
  s->Bind(e.created_ms).Bind(e.last_used_ms);
  return s->Run();
}

Result<std::optional<CacheEntry>> SqliteStore::FindCacheEntry(std::string_view key) {
  std::lock_guard lock(read_mu_);
  auto s =
      reader_->Prepare("SELECT " + std::string(kCacheColumns) + " FROM cache_entries WHERE key=?");
  if (!s.ok()) return s.error();
  s->Bind(key);
  auto entries = CollectEntries(*s);
  if (!entries.ok()) return entries.error();
  if (entries->empty()) return std::optional<CacheEntry>();
  return std::optional<CacheEntry>(std::move(entries->front()));
}

Status SqliteStore::TouchCacheEntry(std::string_view key, UnixMs at) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare("UPDATE cache_entries SET last_used_ms=? WHERE key=?");
  if (!s.ok()) return s.error();
  s->Bind(at).Bind(key);
  return s->Run();
}

Status SqliteStore::TouchCacheEntries(const std::vector<std::string>& keys, UnixMs at) {
  if (keys.empty()) return Ok();
  // One statement for a run's hits: the keys travel as one JSON array read by json_each.
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE cache_entries SET last_used_ms=?1 WHERE key IN (SELECT value FROM json_each(?2))");
  if (!s.ok()) return s.error();
  s->Bind(at).Bind(nlohmann::json(keys).dump());
  return s->Run();
}

Result<std::vector<CacheEntry>> SqliteStore::ListCacheEntries() {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT " + std::string(kCacheColumns) +
                            " FROM cache_entries ORDER BY last_used_ms DESC, key");
  if (!s.ok()) return s.error();
  return CollectEntries(*s);
}

Result<std::vector<CacheEntry>> SqliteStore::DeleteCacheEntries(std::optional<UnixMs> before) {
  std::lock_guard lock(write_mu_);
  // Both statements on the writer, so what is reported is exactly what is deleted.
  std::string where = before ? " WHERE last_used_ms < ?" : "";
  auto s = writer_->Prepare("SELECT " + std::string(kCacheColumns) + " FROM cache_entries" + where +
                            " ORDER BY last_used_ms DESC, key");
  if (!s.ok()) return s.error();
  if (before) s->Bind(*before);
  auto gone = CollectEntries(*s);
  if (!gone.ok()) return gone.error();
  auto d = writer_->Prepare("DELETE FROM cache_entries" + where);
  if (!d.ok()) return d.error();
  if (before) d->Bind(*before);
  if (Status st = d->Run(); !st.ok()) return st.error();
  return gone;
}

}  // namespace gauntlet::store
