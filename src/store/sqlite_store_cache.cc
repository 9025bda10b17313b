// SqliteStore: the job cache and recorded artifacts (tables cache_entries and
// job_artifacts, see sqlite_schema.h).
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

using nlohmann::json;

constexpr std::string_view kCacheColumns =
    "key, pipeline, job, run_id, job_idx, outputs, artifacts, bytes, created_ms, last_used_ms";

std::string ToJson(const Outputs& outputs) {
  json o = json::object();
  for (const auto& [k, v] : outputs) o[k] = v;
  return o.dump();
}

// Our own JSON; a damaged value reads as no outputs rather than failing a listing.
Outputs FromJson(const std::string& text) {
  Outputs out;
  json o = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!o.is_object()) return out;
  for (const auto& [k, v] : o.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

Result<std::vector<CacheEntry>> CollectEntries(SqliteStmt& s) {
  std::vector<CacheEntry> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    CacheEntry e;
    e.key = s.Text(0);
    e.pipeline = s.Text(1);
    e.job = s.Text(2);
    e.run_id = s.Int(3);
    e.job_index = static_cast<int>(s.Int(4));
    e.outputs = FromJson(s.Text(5));
    e.artifacts = s.Text(6);
    e.bytes = static_cast<uint64_t>(s.Int(7));
    e.created_ms = s.Int(8);
    e.last_used_ms = s.Int(9);
    out.push_back(std::move(e));
  }
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
  std::vector<ArtifactRecord> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    ArtifactRecord r;
    r.run_id = s->Int(0);
    r.job_index = static_cast<int>(s->Int(1));
    r.job = s->Text(2);
    r.manifest = s->Text(3);
    r.files = static_cast<uint64_t>(s->Int(4));
    r.bytes = static_cast<uint64_t>(s->Int(5));
    out.push_back(std::move(r));
  }
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
  s->Bind(ToJson(e.outputs)).Bind(e.artifacts).Bind(static_cast<int64_t>(e.bytes));
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
  s->Bind(at).Bind(json(keys).dump());
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
