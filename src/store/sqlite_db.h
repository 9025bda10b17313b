// A thin RAII layer over one SQLite connection: prepared statements cached by
// SQL text, fluent binding, errors as values. Not thread-safe: its owner
// serializes access (SqliteStore keeps each connection behind a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gauntlet::store {

// A cached prepared statement in use: bind in order, step, read columns. It is
// reset (bindings cleared) when it goes out of scope, ready for the next use.
class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStmt(SqliteStmt&& other) noexcept;
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  ~SqliteStmt();

  // Binds the next parameter (?1, ?2, ...).
  SqliteStmt& Bind(int64_t v);
  SqliteStmt& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  SqliteStmt& Bind(double v);
  SqliteStmt& Bind(std::string_view v);
  SqliteStmt& Bind(const char* v) { return Bind(std::string_view(v)); }
  SqliteStmt& Bind(const std::string& v) { return Bind(std::string_view(v)); }

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_error_ = 0;
};

// Steps `s` through every row, calling `read(s)` on each; the first error ends it.
template <typename Read>
Status ForEachRow(SqliteStmt& s, Read&& read) {
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.error();
    if (!*row) return Ok();
    read(static_cast<const SqliteStmt&>(s));
  }
}

// One value per row, as `read(s)` makes it from the row.
template <typename T, typename Read>
Result<std::vector<T>> CollectRows(SqliteStmt& s, Read&& read) {
  std::vector<T> out;
  Status st = ForEachRow(s, [&](const SqliteStmt& row) { out.push_back(read(row)); });
  if (!st.ok()) return st.error();
  return out;
}

class SqliteDb {
 public:
  // Opens the database file, creating it unless `readonly` (for readers).
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool readonly);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more statements without parameters.
  Status Exec(std::string_view sql);
  // A cached statement for that SQL text.
  Result<SqliteStmt> Prepare(std::string_view sql);
  // A single integer from a query ("PRAGMA user_version").
  Result<int64_t> QueryInt(std::string_view sql);
  int64_t LastInsertId() const;
  int Changes() const;
  // An Error naming what failed and SQLite's message.
  Error Err(std::string_view what) const;
  // Runs a statement without parameters or rows (BEGIN, COMMIT) from the cache: no SQL
  // parsing per call, unlike Exec. Errors read as Exec's.
  Status ExecCached(std::string_view sql);

  // Called after each commit with the pages then in the WAL, instead of SQLite's
  // auto-checkpoint (store/wal_checkpointer.h); null: the auto-checkpoint again.
  void OnWalCommit(std::function<void(int pages)> hook);
  // A PASSIVE checkpoint: copies what it can without waiting for anyone.
  Status Checkpoint();
  // A TRUNCATE checkpoint that does not wait either: when no other connection is reading
  // or writing, copies everything and empties the WAL file, so the next writer starts it
  // from the beginning; otherwise copies what it can, as PASSIVE does.
  Status CheckpointAndTruncate();

  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::function<void(int)> wal_hook_;
  // Looked up by the SQL text without copying it (a transparent hash).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

}  // namespace gauntlet::store
