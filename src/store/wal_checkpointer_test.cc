#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "cache/test_dir.h"
#include "store/sqlite_db.h"

namespace gauntlet::store {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// A WAL database with one table, and a way to commit about `pages` pages into it.
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(path_, /*readonly=*/false);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "CREATE TABLE t (v BLOB)")
                    .ok());
  }
  // `commits` commits of a row that fills a page: each adds at least one page to the WAL.
  void CommitPages(int commits) {
    for (int i = 0; i < commits; ++i) {
      ASSERT_TRUE(db_->ExecCached("BEGIN IMMEDIATE").ok());
      ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES (zeroblob(3500))").ok());
      ASSERT_TRUE(db_->ExecCached("COMMIT").ok());
    }
  }
  cache::TestDir dir_;
  std::string path_ = dir_ / "state.db";
  std::unique_ptr<SqliteDb> db_;
};

TEST_F(WalCheckpointerTest, CommitsNeverCheckpointThemselves) {
  WalCheckpointer checkpointer(db_.get(), path_, /*pages=*/1'000'000);
  const int64_t before = FileSize(path_);
  CommitPages(1100);  // SQLite's own auto-checkpoint would copy them at 1000 pages
  EXPECT_EQ(FileSize(path_), before);
  EXPECT_GT(FileSize(path_ + "-wal"), 1100 * 4096);
  EXPECT_EQ(checkpointer.done(), 0);
}

TEST_F(WalCheckpointerTest, TheThreadCheckpointsOnceTheWalHoldsThePages) {
  WalCheckpointer checkpointer(db_.get(), path_, /*pages=*/100);
  CommitPages(30);  // at most 3 pages each (the row's, the tree's, the header's)
  EXPECT_EQ(checkpointer.done(), 0);  // below the threshold: no thread, no checkpoint
  CommitPages(100);
  ASSERT_TRUE(checkpointer.WaitDone(1, std::chrono::seconds(30)));
  // The pages reached the database file, on the checkpointer's connection.
  EXPECT_GT(FileSize(path_), 30 * 4096);  // at least the first 30 rows
}

TEST_F(WalCheckpointerTest, ACheckpointAskedForIsDoneBeforeTheCheckpointerGoes) {
  // A short command: the commit that passes the threshold is its last, and the
  // checkpointer goes right after it, before its thread has run (before the fix, this
  // failed every time). Skipped, the WAL of a
  // store used by many short runs grows by every run (measured: 68 MB after 160 cached
  // runs of a 1,000-job pipeline, each run then twice as slow).
  CommitPages(120);  // below SQLite's own 1,000 pages: all of it still in the WAL
  const int64_t before = FileSize(path_);
  {
    WalCheckpointer checkpointer(db_.get(), path_, /*pages=*/100);
    CommitPages(1);
  }
  EXPECT_GT(FileSize(path_), before + 120 * 3500);  // the rows reached the database file
  // And the WAL was emptied: a complete checkpoint alone leaves it to grow on, as SQLite
  // starts it over only at a write that finds no reader in it.
  EXPECT_EQ(FileSize(path_ + "-wal"), 0);
}

TEST_F(WalCheckpointerTest, TheLastCheckpointNeverWaitsForAReader) {
  CommitPages(120);
  auto reader = SqliteDb::Open(path_, /*readonly=*/true);
  ASSERT_TRUE(reader.ok());
  // A read transaction that stays open (another command reading the history).
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  ASSERT_TRUE((*reader)->QueryInt("SELECT count(*) FROM t").ok());
  const auto start = std::chrono::steady_clock::now();
  {
    WalCheckpointer checkpointer(db_.get(), path_, /*pages=*/100);
    CommitPages(1);
  }
  // The busy timeout is 10 s: waiting for the reader would take all of it.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_GT(FileSize(path_ + "-wal"), 0);  // the reader still needs it
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());
}

TEST_F(WalCheckpointerTest, WithoutItSqliteCheckpointsInsideTheCommitAgain) {
  { WalCheckpointer checkpointer(db_.get(), path_, /*pages=*/1'000'000); }
  const int64_t before = FileSize(path_);
  CommitPages(1100);
  EXPECT_GT(FileSize(path_), before + 200 * 4096);
}

}  // namespace
}  // namespace gauntlet::store
