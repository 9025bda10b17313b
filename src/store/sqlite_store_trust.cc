// SqliteStore: trust level changes (gates). Schema in sqlite_schema.cc.
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Status SqliteStore::RecordTrustChange(const TrustChangeRecord& c) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO trust_changes (repository, author, from_level, to_level, reason, at_ms) "
      "VALUES (?,?,?,?,?,?) ON CONFLICT (repository, author, at_ms, to_level) DO NOTHING");
  if (!s.ok()) return s.error();
  s->Bind(c.repository).Bind(c.author).Bind(c.from_level).Bind(c.to_level).Bind(c.reason);
  s->Bind(c.at_ms);
  return s->Run();
}

Result<std::vector<TrustChangeRecord>> SqliteStore::ListTrustChanges(std::string_view repository,
                                                                     std::string_view author) {
  std::string sql =
      "SELECT id, repository, author, from_level, to_level, reason, at_ms FROM trust_changes "
      "WHERE repository=?";
  if (!author.empty()) sql += " AND author=?";
  sql += " ORDER BY at_ms, id";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  s->Bind(repository);
  if (!author.empty()) s->Bind(author);
  return CollectRows<TrustChangeRecord>(*s, [](const SqliteStmt& row) {
    TrustChangeRecord r;
    r.id = row.Int(0);
    r.repository = row.Text(1);
    r.author = row.Text(2);
    r.from_level = row.Text(3);
    r.to_level = row.Text(4);
    r.reason = row.Text(5);
    r.at_ms = row.Int(6);
    return r;
  });
}

}  // namespace gauntlet::store
