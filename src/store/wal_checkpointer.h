// Checkpoints the store's WAL on a thread of its own, so no commit of the writer pays
// for it. SQLite's auto-checkpoint runs inside the commit that takes the WAL past 1000
// pages: it copies the pages into the database and fdatasyncs both files, 1-50 ms on
// these disks, and in a chain of jobs that commit sits between a job's exit and its
// dependent's spawn (every ~500 jobs; docs/performance.md).
//
// Thread safety: the writer's commits call in from the writing thread; the checkpoint
// runs on the checkpointer's thread through its own connection, a PASSIVE checkpoint
// that never blocks the writer or readers. Destruction, once a checkpoint has been asked
// for, waits for a last one that also empties the WAL file (when nobody else is reading).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite_db.h"

namespace gauntlet::store {

class WalCheckpointer {
 public:
  // Takes over `writer`'s auto-checkpoint: after a commit that leaves `pages` pages or
  // more in the WAL, a checkpoint of the database at `path` is started on the thread
  // (made at the first one). `writer` must outlive this object.
  WalCheckpointer(SqliteDb* writer, std::string path, int pages = 1000);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints finished so far (tests).
  int done() const;
  // Waits until `n` checkpoints have finished; false when `timeout` passed first (tests).
  bool WaitDone(int n, std::chrono::milliseconds timeout);

 private:
  void Request();  // from the writer's commit: wake the thread (start it the first time)
  void Loop(std::stop_token stop);

  SqliteDb* writer_;
  const std::string path_;
  const int pages_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable done_cv_;
  bool requested_ = false;  // guarded by mu_
  int done_ = 0;            // guarded by mu_
  std::unique_ptr<SqliteDb> db_;  // the thread's own connection; only the thread uses it
  std::jthread thread_;     // last: stopped and joined before the rest goes
};

}  // namespace gauntlet::store
