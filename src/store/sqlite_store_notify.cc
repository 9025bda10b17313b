// SqliteStore: notifications and their attempts. Schema in sqlite_schema.cc.
#include <mutex>
#include <string>

#include "store/sqlite_store.h"

namespace gauntlet::store {

Result<int64_t> SqliteStore::RecordNotification(const NotificationRecord& r) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "INSERT INTO notifications (run_id, deployment_id, event, url, state, attempts, "
      "status_code, error, created_ms, finished_ms, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.error();
  s->Bind(r.run_id).Bind(r.deployment_id).Bind(r.event).Bind(r.url).Bind(r.state);
  s->Bind(static_cast<int64_t>(r.attempts)).Bind(static_cast<int64_t>(r.status_code));
  s->Bind(r.error).Bind(r.created_ms).Bind(r.finished_ms).Bind(r.body);
  if (Status st = s->Run(); !st.ok()) return st.error();
  return writer_->LastInsertId();
}

Status SqliteStore::AddNotifyAttempt(const NotificationRecord& r, const NotifyAttemptRecord& a) {
  std::lock_guard lock(write_mu_);
  const bool own = !in_batch_;
  if (own) {
    if (Status s = writer_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  }
  auto fail = [&](Error e) -> Status {
    if (own) (void)writer_->Exec("ROLLBACK");
    return e;
  };
  if (a.number > 0) {  // 0: only the delivery's state changes
    auto ins = writer_->Prepare(
        "INSERT OR REPLACE INTO notify_attempts (notification_id, number, at_ms, status_code, "
        "error, duration_ms) VALUES (?,?,?,?,?,?)");
    if (!ins.ok()) return fail(ins.error());
    ins->Bind(r.id).Bind(static_cast<int64_t>(a.number)).Bind(a.at_ms);
    ins->Bind(static_cast<int64_t>(a.status_code)).Bind(a.error).Bind(a.duration_ms);
    if (Status s = ins->Run(); !s.ok()) return fail(s.error());
  }
  auto up = writer_->Prepare(
      "UPDATE notifications SET state=?, attempts=?, status_code=?, error=?, finished_ms=? "
      "WHERE id=?");
  if (!up.ok()) return fail(up.error());
  up->Bind(r.state).Bind(static_cast<int64_t>(r.attempts));
  up->Bind(static_cast<int64_t>(r.status_code)).Bind(r.error).Bind(r.finished_ms).Bind(r.id);
  if (Status s = up->Run(); !s.ok()) return fail(s.error());
  return own ? writer_->Exec("COMMIT") : Ok();
}

Result<std::vector<NotificationRecord>> SqliteStore::ListNotifications(
    const NotificationFilter& f) {
  std::string sql =
      "SELECT id, run_id, deployment_id, event, url, state, attempts, status_code, error, "
      "created_ms, finished_ms, body FROM notifications";
  if (f.run_id) sql += " WHERE run_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(sql);
  if (!s.ok()) return s.error();
  if (f.run_id) s->Bind(f.run_id);
  s->Bind(static_cast<int64_t>(f.limit));
  auto rows = CollectRows<NotificationRecord>(*s, [](const SqliteStmt& row) {
    NotificationRecord r;
    r.id = row.Int(0);
    r.run_id = row.Int(1);
    r.deployment_id = row.Int(2);
    r.event = row.Text(3);
    r.url = row.Text(4);
    r.state = row.Text(5);
    r.attempts = static_cast<int>(row.Int(6));
    r.status_code = static_cast<int>(row.Int(7));
    r.error = row.Text(8);
    r.created_ms = row.Int(9);
    r.finished_ms = row.Int(10);
    r.body = row.Text(11);
    return r;
  });
  if (!rows.ok()) return rows.error();
  for (NotificationRecord& r : *rows) {
    auto a = reader_->Prepare(
        "SELECT number, at_ms, status_code, error, duration_ms FROM notify_attempts "
        "WHERE notification_id = ? ORDER BY number");
    if (!a.ok()) return a.error();
    a->Bind(r.id);
    auto attempts = CollectRows<NotifyAttemptRecord>(*a, [](const SqliteStmt& row) {
      NotifyAttemptRecord t;
      t.number = static_cast<int>(row.Int(0));
      t.at_ms = row.Int(1);
      t.status_code = static_cast<int>(row.Int(2));
      t.error = row.Text(3);
      t.duration_ms = row.Int(4);
      return t;
    });
    if (!attempts.ok()) return attempts.error();
    r.attempt_list = std::move(*attempts);
  }
  return rows;
}

}  // namespace gauntlet::store
