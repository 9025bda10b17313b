#include "store/wal_checkpointer.h"

#include "core/thread.h"

namespace gauntlet::store {

WalCheckpointer::WalCheckpointer(SqliteDb* writer, std::string path, int pages)
    : writer_(writer), path_(std::move(path)), pages_(pages) {
  // Replaces SQLite's own auto-checkpoint, which is a WAL hook too.
  writer_->OnWalCommit([this](int wal_pages) {
    if (wal_pages >= pages_) Request();
  });
}

WalCheckpointer::~WalCheckpointer() {
  writer_->OnWalCommit(nullptr);  // SQLite's own auto-checkpoint again
  std::jthread t;
  {
    std::lock_guard lock(mu_);
    t = std::move(thread_);
  }
  if (t.joinable()) {
    t.request_stop();  // wakes the wait through its stop token
    t.join();
  }
}

int WalCheckpointer::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

bool WalCheckpointer::WaitDone(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return done_cv_.wait_for(lock, timeout, [&] { return done_ >= n; });
}

void WalCheckpointer::Request() {
  std::lock_guard lock(mu_);
  requested_ = true;
  if (!thread_.joinable()) {
    thread_ = BackgroundThread([this](std::stop_token stop) { Loop(stop); });
  } else {
    cv_.notify_one();
  }
}

void WalCheckpointer::Loop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, stop, [this] { return requested_; });
    // The owner is going away: one last checkpoint, which also empties the WAL. Without
    // it, a command shorter than the thread's start never checkpoints, and even a
    // complete PASSIVE checkpoint leaves the WAL to grow: SQLite starts it again from
    // the beginning only at a write that finds every frame copied and no reader in it,
    // which a busy run (its own reader, its next commit) rarely offers. The WAL of a
    // store used by many short commands then grew without end, and every reader paid
    // for its length (docs/performance.md).
    const bool last = stop.stop_requested();
    requested_ = false;
    lock.unlock();
    // A failed checkpoint is retried by the next request; the WAL holds the data meanwhile.
    if (!db_) {
      auto db = SqliteDb::Open(path_, /*readonly=*/false);
      // A connection that has read nothing has not opened the WAL yet, and its checkpoint
      // would do nothing (SQLite before 3.42 does not open it for one).
      if (db.ok() && (*db)->QueryInt("PRAGMA schema_version").ok()) db_ = std::move(db).value();
    }
    if (db_) (void)(last ? db_->CheckpointAndTruncate() : db_->Checkpoint());
    lock.lock();
    ++done_;
    done_cv_.notify_all();
    if (last) return;
  }
}

}  // namespace gauntlet::store
