#include "store/approvals.h"

#include "store/sqlite_schema.h"

namespace gauntlet::store {
namespace {

constexpr const char* kColumns =
    "id, kind, pipeline, environment, commit_id, version, requested_by, state, decided_by, "
    "reason, requested_ms, decided_ms, used_ms";

ApprovalRecord ReadRow(const SqliteStmt& row) {
  ApprovalRecord r;
  r.id = row.Int(0);
  r.kind = row.Text(1);
  r.pipeline = row.Text(2);
  r.environment = row.Text(3);
  r.commit = row.Text(4);
  r.version = row.Text(5);
  r.requested_by = row.Text(6);
  r.state = row.Text(7);
  r.decided_by = row.Text(8);
  r.reason = row.Text(9);
  r.requested_ms = row.Int(10);
  r.decided_ms = row.Int(11);
  r.used_ms = row.Int(12);
  return r;
}

// The rows `where` finds (its parameters bound by `bind`), every column read.
template <typename Bind>
Result<std::vector<ApprovalRecord>> Query(SqliteDb& db, const std::string& where, Bind&& bind) {
  auto s = db.Prepare(std::string("SELECT ") + kColumns + " FROM approvals " + where);
  if (!s.ok()) return s.error();
  bind(*s);
  return CollectRows<ApprovalRecord>(*s, ReadRow);
}

constexpr const char* kSameAction =
    "kind = ? AND pipeline = ? AND environment = ? AND commit_id = ? AND version = ? AND "
    "requested_by = ?";

void BindAction(SqliteStmt& s, const ApprovalRecord& r) {
  s.Bind(r.kind).Bind(r.pipeline).Bind(r.environment).Bind(r.commit).Bind(r.version);
  s.Bind(r.requested_by);
}

}  // namespace

Result<std::unique_ptr<ApprovalBook>> ApprovalBook::Open(const std::string& db_path) {
  auto db = SqliteDb::Open(db_path, /*readonly=*/false);
  if (!db.ok()) return db.error();
  if (Status s = (*db)->Exec("PRAGMA busy_timeout = 10000"); !s.ok()) return s.error();
  if (Status s = Migrate(**db); !s.ok()) return s.error();
  return std::unique_ptr<ApprovalBook>(new ApprovalBook(std::move(*db)));
}

Status ApprovalBook::Expire(int64_t now_ms) {
  auto s = db_->Prepare(
      "UPDATE approvals SET state = 'expired' WHERE (state = 'pending' AND requested_ms < ?) "
      "OR (state = 'approved' AND used_ms = 0 AND decided_ms < ?)");
  if (!s.ok()) return s.error();
  s->Bind(now_ms - kApprovalTtlMs).Bind(now_ms - kApprovalTtlMs);
  return s->Run();
}

Result<ApprovalRecord> ApprovalBook::Request(const ApprovalRecord& r, int64_t now_ms) {
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s.error();
  auto done = [&](Result<ApprovalRecord> out) -> Result<ApprovalRecord> {
    if (!out.ok()) {
      (void)db_->Exec("ROLLBACK");
      return out;
    }
    if (Status s = db_->Exec("COMMIT"); !s.ok()) return s.error();
    return out;
  };
  if (Status s = Expire(now_ms); !s.ok()) return done(s.error());
  auto found = Query(*db_, std::string("WHERE ") + kSameAction + " AND state = 'pending'",
                     [&](SqliteStmt& s) { BindAction(s, r); });
  if (!found.ok()) return done(found.error());
  if (!found->empty()) return done(found->front());
  auto s = db_->Prepare(
      "INSERT INTO approvals (kind, pipeline, environment, commit_id, version, requested_by, "
      "state, requested_ms) VALUES (?,?,?,?,?,?,'pending',?)");
  if (!s.ok()) return done(s.error());
  BindAction(*s, r);
  s->Bind(now_ms);
  if (Status st = s->Run(); !st.ok()) return done(st.error());
  ApprovalRecord out = r;
  out.id = db_->LastInsertId();
  out.state = "pending";
  out.requested_ms = now_ms;
  return done(out);
}

Result<std::optional<ApprovalRecord>> ApprovalBook::Consume(const ApprovalRecord& action,
                                                            int64_t now_ms) {
  if (Status s = Expire(now_ms); !s.ok()) return s.error();
  // One statement: two callers cannot both use the same approval.
  auto s = db_->Prepare(
      std::string("UPDATE approvals SET used_ms = ? WHERE id = (SELECT id FROM approvals WHERE ") +
      kSameAction + " AND state = 'approved' AND used_ms = 0 ORDER BY id LIMIT 1) RETURNING " +
      kColumns);
  if (!s.ok()) return s.error();
  s->Bind(now_ms);
  BindAction(*s, action);
  auto rows = CollectRows<ApprovalRecord>(*s, ReadRow);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(rows->front());
}

Result<ApprovalRecord> ApprovalBook::Decide(int64_t id, bool approve, const std::string& by,
                                            const std::string& reason, int64_t now_ms) {
  if (Status s = Expire(now_ms); !s.ok()) return s.error();
  auto s = db_->Prepare(std::string("UPDATE approvals SET state = ?, decided_by = ?, reason = ?, "
                                    "decided_ms = ? WHERE id = ? AND state = 'pending' RETURNING ") +
                        kColumns);
  if (!s.ok()) return s.error();
  s->Bind(approve ? "approved" : "denied").Bind(by).Bind(reason).Bind(now_ms).Bind(id);
  auto rows = CollectRows<ApprovalRecord>(*s, ReadRow);
  if (!rows.ok()) return rows.error();
  if (!rows->empty()) return rows->front();
  auto now = Get(id, now_ms);
  if (!now.ok()) return now.error();
  if (!*now) return Error::NotFound("no approval request " + std::to_string(id));
  return Error::Conflict("approval request " + std::to_string(id) + " is " + (*now)->state +
                         ((*now)->decided_by.empty() ? "" : " (by " + (*now)->decided_by + ")") +
                         ", not pending");
}

Result<std::optional<ApprovalRecord>> ApprovalBook::Get(int64_t id, int64_t now_ms) {
  if (Status s = Expire(now_ms); !s.ok()) return s.error();
  auto rows = Query(*db_, "WHERE id = ?", [&](SqliteStmt& s) { s.Bind(id); });
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(rows->front());
}

Result<std::optional<ApprovalRecord>> ApprovalBook::Latest(const ApprovalRecord& action,
                                                           int64_t now_ms) {
  if (Status s = Expire(now_ms); !s.ok()) return s.error();
  auto rows = Query(*db_, std::string("WHERE ") + kSameAction + " ORDER BY id DESC LIMIT 1",
                    [&](SqliteStmt& s) { BindAction(s, action); });
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(rows->front());
}

Result<std::vector<ApprovalRecord>> ApprovalBook::List(bool pending_only, int limit,
                                                       int64_t now_ms) {
  if (Status s = Expire(now_ms); !s.ok()) return s.error();
  return Query(*db_,
               std::string(pending_only ? "WHERE state = 'pending' " : "") +
                   "ORDER BY id DESC LIMIT ?",
               [&](SqliteStmt& s) { s.Bind(static_cast<int64_t>(limit)); });
}

}  // namespace gauntlet::store
