// SqliteStore: the MCP audit trail. Schema in sqlite_schema.cc.
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Result<int64_t> SqliteStore::RecordAudit(const AuditRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO audit (at_ms, identity, level, tool, arguments, decision, outcome, detail, "
      "duration_ms) VALUES (?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.error();
  s->Bind(r.at_ms).Bind(r.identity).Bind(r.level).Bind(r.tool).Bind(r.arguments);
  s->Bind(r.decision).Bind(r.outcome).Bind(r.detail).Bind(r.duration_ms);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->LastInsertId();
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(const AuditFilter& f) {
  // The newest `limit` calls, shown oldest first.
  std::string sql =
      "SELECT id, at_ms, identity, level, tool, arguments, decision, outcome, detail, "
      "duration_ms FROM audit WHERE at_ms >= ?";
  if (!f.identity.empty()) sql += " AND identity = ?";
  sql = "SELECT * FROM (" + sql + " ORDER BY at_ms DESC, id DESC LIMIT ?) ORDER BY at_ms, id";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  s->Bind(f.since_ms);
  if (!f.identity.empty()) s->Bind(f.identity);
  s->Bind(static_cast<int64_t>(f.limit));
  return CollectRows<AuditRecord>(*s, [](const SqliteStmt& row) {
    AuditRecord r;
    r.id = row.Int(0);
    r.at_ms = row.Int(1);
    r.identity = row.Text(2);
    r.level = row.Text(3);
    r.tool = row.Text(4);
    r.arguments = row.Text(5);
    r.decision = row.Text(6);
    r.outcome = row.Text(7);
    r.detail = row.Text(8);
    r.duration_ms = row.Int(9);
    return r;
  });
}

}  // namespace gauntlet::store
