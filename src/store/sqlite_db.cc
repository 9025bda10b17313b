#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace gauntlet::store {

SqliteStmt::SqliteStmt(SqliteStmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      next_param_(other.next_param_),
      bind_error_(other.bind_error_) {}

SqliteStmt::~SqliteStmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqliteStmt& SqliteStmt::Bind(int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, next_param_++, v);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

SqliteStmt& SqliteStmt::Bind(double v) {
  int rc = sqlite3_bind_double(stmt_, next_param_++, v);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

SqliteStmt& SqliteStmt::Bind(std::string_view v) {
  int rc =
      sqlite3_bind_text64(stmt_, next_param_++, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> SqliteStmt::Step() {
  if (bind_error_ != 0) {
    return Error{std::string("sqlite bind: ") + sqlite3_errstr(bind_error_) + " in " +
                 sqlite3_sql(stmt_)};
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error{std::string("sqlite: ") + sqlite3_errmsg(db_) + " in " + sqlite3_sql(stmt_)};
}

Status SqliteStmt::Run() {
  Result<bool> r = Step();
  if (!r.ok()) return r.error();
  return Ok();
}

int64_t SqliteStmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double SqliteStmt::Real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string SqliteStmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
}

namespace {
// Another engine or a reader may hold the lock briefly (checkpoint, commit).
constexpr int kBusyTimeoutMs = 10000;
}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool readonly) {
  sqlite3* db = nullptr;
  // NOMUTEX: the owner serializes access, SQLite's own mutex would be redundant.
  int flags = SQLITE_OPEN_NOMUTEX |
              (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{"cannot open " + path + ": " + msg};
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // The last connection to close would checkpoint the WAL into the database and delete
  // it: two or three fdatasyncs at the end of every command. The WAL is left for the
  // next command instead and checkpointed by SQLite's auto-checkpoint (every 1000 pages)
  // during some later commit. Durability is the same: the WAL is the data.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // Transient tables and indices (a statement's sort, an IN (SELECT ...)) in memory, not
  // in a file SQLite creates and deletes under /var/tmp for each: a cached run made one.
  sqlite3_exec(db, "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db, path));
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* msg = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e{path_ + ": " + (msg != nullptr ? msg : "error") + " in " + text};
    sqlite3_free(msg);
    return e;
  }
  return Ok();
}

Status SqliteDb::ExecCached(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.error();
  if (!stmt->Step().ok()) {
    return Error{path_ + ": " + sqlite3_errmsg(db_) + " in " + std::string(sql)};
  }
  return Ok();
}

void SqliteDb::OnWalCommit(std::function<void(int pages)> hook) {
  wal_hook_ = std::move(hook);
  if (!wal_hook_) {
    sqlite3_wal_autocheckpoint(db_, 1000);  // SQLite's default
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteDb*>(self)->wal_hook_(pages);
        return SQLITE_OK;
      },
      this);
}

Status SqliteDb::Checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) return Err("checkpoint");
  return Ok();
}

Status SqliteDb::CheckpointAndTruncate() {
  // A busy handler would wait for readers and the writer lock: none for this one.
  sqlite3_busy_timeout(db_, 0);
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return Err("checkpoint");
  return Ok();
}

Result<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return Err("prepare " + std::string(sql));
    }
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return SqliteStmt(db_, it->second);
}

Result<int64_t> SqliteDb::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Error{path_ + ": no row for " + std::string(sql)};
  return stmt->Int(0);
}

int64_t SqliteDb::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::Changes() const { return sqlite3_changes(db_); }

Error SqliteDb::Err(std::string_view what) const {
  return Error{path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_)};
}

}  // namespace gauntlet::store
