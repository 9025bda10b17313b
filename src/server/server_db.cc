#include "server/server_db.h"

#include <string_view>

#include "server/crypto.h"
#include "store/sqlite_schema.h"
#include "store/state_dir.h"

namespace gauntlet::server {
namespace {

const std::vector<std::string_view>& ServerMigrations() {
  static const std::vector<std::string_view> kSteps = {
      // 0 -> 1: tokens, deliveries, the queue.
      R"sql(
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  revoked_ms INTEGER NOT NULL DEFAULT 0,
  last_used_ms INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked_ms = 0;
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  event TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE TABLE queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL,
  event TEXT NOT NULL,
  ref TEXT NOT NULL,
  git_commit TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  delivery TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  queued_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queue_by_state ON queue(state, id);
)sql",
      // 1 -> 2: when each schedule last fired (key: repository, cron and zone).
      R"sql(
CREATE TABLE schedules (
  key TEXT PRIMARY KEY,
  last_fire_s INTEGER NOT NULL
);
)sql",
      // 2 -> 3: the pipeline file an item runs ('': each of the commit's that takes it).
      R"sql(
ALTER TABLE queue ADD COLUMN pipeline TEXT NOT NULL DEFAULT '';
)sql",
      // 3 -> 4: the concurrency group of an item (repository and rendered group; '':
      // none), set once the item is admitted (server/concurrency.h).
      R"sql(
ALTER TABLE queue ADD COLUMN cgroup TEXT NOT NULL DEFAULT '';
ALTER TABLE queue ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
)sql",
  };
  return kSteps;
}

// The first row `read` makes of the statement's result; nullopt when there is none.
template <typename T, typename Read>
Result<std::optional<T>> FirstRow(store::SqliteStmt& st, Read&& read) {
  auto rows = store::CollectRows<T>(st, read);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

constexpr Scope kScopes[] = {Scope::kRead, Scope::kTrigger, Scope::kDeploy, Scope::kAdmin};

TokenRecord ReadToken(const store::SqliteStmt& r) {
  TokenRecord t;
  t.id = r.Int(0);
  t.name = r.Text(1);
  t.scope = ParseScope(r.Text(2)).value_or(Scope::kRead);
  t.created_ms = r.Int(3);
  t.revoked_ms = r.Int(4);
  t.last_used_ms = r.Int(5);
  return t;
}
constexpr const char* kTokenColumns =
    "SELECT id, name, scope, created_ms, revoked_ms, last_used_ms FROM tokens ";

QueueItem ReadItem(const store::SqliteStmt& r) {
  QueueItem q;
  q.id = r.Int(0);
  q.repo = r.Text(1);
  q.event = r.Text(2);
  q.ref = r.Text(3);
  q.commit = r.Text(4);
  q.payload = r.Text(5);
  q.delivery = r.Text(6);
  q.state = r.Text(7);
  q.reason = r.Text(8);
  q.run_id = r.Int(9);
  q.queued_ms = r.Int(10);
  q.started_ms = r.Int(11);
  q.finished_ms = r.Int(12);
  q.pipeline = r.Text(13);
  q.group = r.Text(14);
  return q;
}
constexpr const char* kItemColumns =
    "SELECT id, repo, event, ref, git_commit, payload, delivery, state, reason, run_id, "
    "queued_ms, started_ms, finished_ms, pipeline, cgroup FROM queue ";

}  // namespace

std::optional<Scope> ParseScope(const std::string& s) {
  for (Scope scope : kScopes)
    if (s == ToString(scope)) return scope;
  return std::nullopt;
}

const char* ToString(Scope s) {
  switch (s) {
    case Scope::kRead:
      return "read";
    case Scope::kTrigger:
      return "trigger";
    case Scope::kDeploy:
      return "deploy";
    case Scope::kAdmin:
      return "admin";
  }
  return "read";
}

Result<std::unique_ptr<ServerDb>> ServerDb::Open(const std::string& path) {
  // The server's state directory holds token hashes: never a project file (its own
  // `.gitignore`, as the workspace's `.gauntlet/` has).
  const size_t slash = path.rfind('/');
  if (Status s = store::EnsureStateDir(slash == std::string::npos ? "." : path.substr(0, slash));
      !s.ok())
    return s.error();
  auto db = store::SqliteDb::Open(path, /*readonly=*/false);
  if (!db.ok()) return db.error();
  if (Status s = (*db)->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                             "PRAGMA busy_timeout=5000");
      !s.ok())
    return s.error();
  if (Status s = store::Migrate(**db, ServerMigrations()); !s.ok()) return s.error();
  return std::unique_ptr<ServerDb>(new ServerDb(std::move(*db)));
}

Result<std::pair<TokenRecord, std::string>> ServerDb::CreateToken(const std::string& name,
                                                                  Scope scope, int64_t now_ms) {
  std::string plaintext = NewToken();
  if (plaintext.empty()) return Error{"the random generator failed", ErrorKind::kInternal};
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(
      "INSERT INTO tokens (name, scope, hash, created_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(name).Bind(ToString(scope)).Bind(Sha256Hex(plaintext)).Bind(now_ms).Run();
      !s.ok())
    return s.error();
  if (db_->Changes() == 0)
    return Error{"an active token is named '" + name + "': revoke it first or pick another name",
                 ErrorKind::kConflict};
  TokenRecord t;
  t.id = db_->LastInsertId();
  t.name = name;
  t.scope = scope;
  t.created_ms = now_ms;
  return std::make_pair(t, plaintext);
}

Result<std::vector<TokenRecord>> ServerDb::ListTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kTokenColumns) + "ORDER BY id");
  if (!st.ok()) return st.error();
  return store::CollectRows<TokenRecord>(*st, ReadToken);
}

Result<TokenRecord> ServerDb::RevokeToken(const std::string& name_or_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto find = db_->Prepare(std::string(kTokenColumns) +
                           "WHERE revoked_ms = 0 AND (name = ?1 OR CAST(id AS TEXT) = ?1)");
  if (!find.ok()) return find.error();
  auto found = FirstRow<TokenRecord>(find->Bind(name_or_id), ReadToken);
  if (!found.ok()) return found.error();
  if (!*found) return Error{"no active token named '" + name_or_id + "'", ErrorKind::kNotFound};
  TokenRecord t = **found;
  auto up = db_->Prepare("UPDATE tokens SET revoked_ms = ?1 WHERE id = ?2");
  if (!up.ok()) return up.error();
  if (Status s = up->Bind(now_ms).Bind(t.id).Run(); !s.ok()) return s.error();
  t.revoked_ms = now_ms;
  return t;
}

Result<std::optional<TokenRecord>> ServerDb::Authenticate(const std::string& plaintext,
                                                          int64_t now_ms) {
  // Looked up by hash: the comparison is SQLite's index lookup on a digest an attacker
  // cannot steer, not a comparison with the secret itself.
  const std::string hash = Sha256Hex(plaintext);
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kTokenColumns) + "WHERE hash = ?1 AND revoked_ms = 0");
  if (!st.ok()) return st.error();
  auto found = FirstRow<TokenRecord>(st->Bind(hash), ReadToken);
  if (!found.ok() || !*found) return found;
  auto used = db_->Prepare("UPDATE tokens SET last_used_ms = ?1 WHERE id = ?2");
  if (used.ok()) (void)used->Bind(now_ms).Bind((*found)->id).Run();
  return found;
}

Result<bool> ServerDb::ClaimDelivery(const std::string& delivery, const std::string& source,
                                     const std::string& event, int64_t now_ms) {
  auto st = db_->Prepare(
      "INSERT INTO deliveries (id, source, event, at_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(delivery).Bind(source).Bind(event).Bind(now_ms).Run(); !s.ok())
    return s.error();
  return db_->Changes() > 0;
}

Result<bool> ServerDb::RecordDelivery(const std::string& delivery, const std::string& source,
                                      const std::string& event, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return ClaimDelivery(delivery, source, event, now_ms);
}

Result<std::optional<int64_t>> ServerDb::EnqueueIf(const QueueItem& item, int64_t now_ms,
                                                   const std::function<Result<bool>()>& claim) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s.error();
  auto fail = [this](Error e) -> Error {
    (void)db_->Exec("ROLLBACK");
    return e;
  };
  Result<bool> claimed = claim();
  if (!claimed.ok()) return fail(claimed.error());
  if (!*claimed) {
    (void)db_->Exec("ROLLBACK");
    return std::optional<int64_t>();
  }
  auto st = db_->Prepare(
      "INSERT INTO queue (repo, event, ref, git_commit, payload, delivery, state, queued_ms, "
      "pipeline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8)");
  if (!st.ok()) return fail(st.error());
  if (Status s = st->Bind(item.repo)
                     .Bind(item.event)
                     .Bind(item.ref)
                     .Bind(item.commit)
                     .Bind(item.payload)
                     .Bind(item.delivery)
                     .Bind(now_ms)
                     .Bind(item.pipeline)
                     .Run();
      !s.ok())
    return fail(s.error());
  const int64_t id = db_->LastInsertId();
  if (Status s = db_->Exec("COMMIT"); !s.ok()) return fail(s.error());
  return std::optional<int64_t>(id);
}

Result<std::optional<int64_t>> ServerDb::Enqueue(QueueItem item, const std::string& source,
                                                 int64_t now_ms) {
  return EnqueueIf(item, now_ms, [&]() -> Result<bool> {
    if (item.delivery.empty()) return true;
    return ClaimDelivery(item.delivery, source, item.event, now_ms);
  });
}

Result<int64_t> ServerDb::StartSchedule(const std::string& key, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto ins = db_->Prepare(
      "INSERT INTO schedules (key, last_fire_s) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!ins.ok()) return ins.error();
  if (Status s = ins->Bind(key).Bind(now_s).Run(); !s.ok()) return s.error();
  auto st = db_->Prepare("SELECT last_fire_s FROM schedules WHERE key = ?1");
  if (!st.ok()) return st.error();
  auto last = FirstRow<int64_t>(st->Bind(key), [](const store::SqliteStmt& r) { return r.Int(0); });
  if (!last.ok()) return last.error();
  return last->value_or(now_s);
}

Result<std::optional<int64_t>> ServerDb::FireSchedule(const std::string& key, int64_t slot_s,
                                                      const QueueItem& item, int64_t now_ms) {
  return EnqueueIf(item, now_ms, [&]() -> Result<bool> {
    auto st = db_->Prepare(
        "UPDATE schedules SET last_fire_s = ?1 WHERE key = ?2 AND last_fire_s < ?1");
    if (!st.ok()) return st.error();
    if (Status s = st->Bind(slot_s).Bind(key).Run(); !s.ok()) return s.error();
    return db_->Changes() > 0;
  });
}

Result<std::optional<QueueItem>> ServerDb::TakeNext(int64_t now_ms,
                                                   const std::set<std::string>& busy) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string(kItemColumns) + "WHERE state = 'queued' AND admitted = 1";
  if (!busy.empty()) {
    sql += " AND repo NOT IN (?";
    for (size_t i = 1; i < busy.size(); ++i) sql += ", ?";
    sql += ")";
  }
  auto st = db_->Prepare(sql + " ORDER BY id LIMIT 1");
  if (!st.ok()) return st.error();
  for (const std::string& repo : busy) st->Bind(std::string_view(repo));
  auto found = FirstRow<QueueItem>(*st, ReadItem);
  if (!found.ok() || !*found) return found;
  QueueItem item = **found;
  item.resumed = item.started_ms != 0;
  auto up = db_->Prepare("UPDATE queue SET state = 'running', started_ms = ?1 WHERE id = ?2");
  if (!up.ok()) return up.error();
  if (Status s = up->Bind(now_ms).Bind(item.id).Run(); !s.ok()) return s.error();
  item.state = "running";
  item.started_ms = now_ms;
  return std::optional<QueueItem>(item);
}

Result<std::vector<QueueItem>> ServerDb::Unadmitted() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kItemColumns) +
                         "WHERE state = 'queued' AND admitted = 0 ORDER BY id");
  if (!st.ok()) return st.error();
  return store::CollectRows<QueueItem>(*st, ReadItem);
}

Status ServerDb::Admit(int64_t id, const std::string& group) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("UPDATE queue SET admitted = 1, cgroup = ?1 WHERE id = ?2");
  if (!st.ok()) return st.error();
  return st->Bind(group).Bind(id).Run();
}

Result<std::vector<QueueItem>> ServerDb::InGroup(const std::string& group,
                                                 const std::string& state) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kItemColumns) +
                         "WHERE cgroup = ?1 AND state = ?2 AND admitted = 1 ORDER BY id");
  if (!st.ok()) return st.error();
  return store::CollectRows<QueueItem>(st->Bind(group).Bind(state), ReadItem);
}

Status ServerDb::SetRunId(int64_t id, int64_t run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("UPDATE queue SET run_id = ?1 WHERE id = ?2");
  if (!st.ok()) return st.error();
  return st->Bind(run_id).Bind(id).Run();
}

Status ServerDb::Finish(int64_t id, const std::string& state, const std::string& reason,
                        int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("UPDATE queue SET state = ?1, reason = ?2, finished_ms = ?3 WHERE id = ?4");
  if (!st.ok()) return st.error();
  return st->Bind(state).Bind(reason).Bind(now_ms).Bind(id).Run();
}

Result<int> ServerDb::Requeue() {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = db_->Exec("UPDATE queue SET state = 'queued' WHERE state = 'running'"); !s.ok())
    return s.error();
  return db_->Changes();
}

Result<std::vector<QueueItem>> ServerDb::ListQueue(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kItemColumns) + "ORDER BY id DESC LIMIT ?1");
  if (!st.ok()) return st.error();
  return store::CollectRows<QueueItem>(st->Bind(limit), ReadItem);
}

Result<std::optional<QueueItem>> ServerDb::GetItem(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kItemColumns) + "WHERE id = ?1");
  if (!st.ok()) return st.error();
  return FirstRow<QueueItem>(st->Bind(id), ReadItem);
}

Result<std::optional<QueueItem>> ServerDb::ItemOfRun(const std::string& repo, int64_t run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string(kItemColumns) +
                         "WHERE repo = ?1 AND run_id = ?2 ORDER BY id DESC LIMIT 1");
  if (!st.ok()) return st.error();
  return FirstRow<QueueItem>(st->Bind(std::string_view(repo)).Bind(run_id), ReadItem);
}

Result<std::vector<QueueCount>> ServerDb::CountQueue() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(
      "SELECT repo, state, CASE WHEN state = 'done' THEN reason ELSE '' END AS r, count(*) "
      "FROM queue GROUP BY repo, state, r ORDER BY repo, state, r");
  if (!st.ok()) return st.error();
  return store::CollectRows<QueueCount>(*st, [](const store::SqliteStmt& r) {
    return QueueCount{r.Text(0), r.Text(1), r.Text(2), r.Int(3)};
  });
}

}  // namespace gauntlet::server
