#include "store/run_claim.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

class RunClaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-claim-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = SqliteStore::Open(dir_ + "/state.db");
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A run whose engine (a child that exited) is gone from this host.
  RunId InterruptedRun() {
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    RunRecord r;
    r.pipeline = "p";
    r.status = RunStatus::kRunning;
    r.engine_pid = child;
    r.engine_host = HostName();
    auto id = store_->CreateRun(r);
    EXPECT_TRUE(id.ok());
    return *id;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(RunClaimTest, OneOfTwoClaimsOfTheSameReadWins) {
  RunId id = InterruptedRun();
  auto seen = store_->GetRun(id);
  ASSERT_TRUE(seen.ok() && *seen);
  auto first = store_->ClaimRun(**seen, 111, "a");
  auto second = store_->ClaimRun(**seen, 222, "b");  // read before the first claim
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  auto now = store_->GetRun(id);
  EXPECT_EQ((*now)->engine_pid, 111);
  EXPECT_EQ((*now)->status, RunStatus::kRunning);
}

// Many processes race for one run through their own connections: exactly one wins.
// Each stays alive until all have tried, so the winner's engine is never seen dead.
TEST_F(RunClaimTest, RacingProcessesHaveExactlyOneWinner) {
  RunId id = InterruptedRun();
  constexpr int kRacers = 8;
  int results[2], release[2];
  ASSERT_EQ(pipe(results), 0);
  ASSERT_EQ(pipe(release), 0);
  std::vector<pid_t> racers;
  for (int i = 0; i < kRacers; ++i) {
    pid_t p = fork();
    if (p == 0) {
      close(results[0]);
      close(release[1]);
      auto s = SqliteStore::Open(dir_ + "/state.db");
      bool busy = false;
      char won = 'x';
      if (s.ok())
        won = ClaimRun(**s, id, getpid(), HostName(), &busy).ok() ? 'w' : busy ? 'l' : 'e';
      (void)!write(results[1], &won, 1);
      char c;
      (void)!read(release[0], &c, 1);  // until the parent closes it
      _exit(0);
    }
    racers.push_back(p);
  }
  close(results[1]);
  close(release[0]);
  std::string got;
  char c;
  while (got.size() < kRacers && read(results[0], &c, 1) == 1) got += c;
  close(release[1]);
  close(results[0]);
  for (pid_t p : racers) waitpid(p, nullptr, 0);
  EXPECT_EQ(std::count(got.begin(), got.end(), 'w'), 1) << got;
  EXPECT_EQ(std::count(got.begin(), got.end(), 'l'), kRacers - 1) << got;
}

TEST_F(RunClaimTest, TheLoserIsToldWhoHoldsTheRun) {
  RunId id = InterruptedRun();
  bool busy = false;
  auto won = ClaimRun(*store_, id, getpid(), HostName(), &busy);
  ASSERT_TRUE(won.ok()) << won.error().message;
  EXPECT_EQ(won->engine_pid, getpid());
  auto lost = ClaimRun(*store_, id, 999999, HostName(), &busy);
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(busy);
  EXPECT_NE(lost.error().message.find("its engine is pid " + std::to_string(getpid())),
            std::string::npos)
      << lost.error().message;
}

TEST_F(RunClaimTest, WhatMayBeResumed) {
  RunRecord r;
  r.id = 3;
  bool busy = false;
  for (RunStatus ok : {RunStatus::kInterrupted, RunStatus::kCancelled}) {
    r.status = ok;
    EXPECT_TRUE(CheckResumable(r, &busy).ok());
  }
  r.status = RunStatus::kFailed;
  r.reason = "2 job(s) failed";
  EXPECT_FALSE(CheckResumable(r, &busy).ok());
  EXPECT_FALSE(busy);
  r.reason = StorageErrorReason("write x: No space left on device");
  EXPECT_TRUE(StoppedByStorageError(r));
  EXPECT_TRUE(CheckResumable(r, &busy).ok());
  r.status = RunStatus::kSuccess;
  EXPECT_FALSE(CheckResumable(r, &busy).ok());
  r.status = RunStatus::kRunning;
  r.engine_host = "elsewhere-" + HostName();
  EXPECT_FALSE(CheckResumable(r, &busy).ok());
  EXPECT_TRUE(busy);
}

TEST_F(RunClaimTest, AttemptsMadeTakesTheHighestOfStoreAndLog) {
  RunId id = InterruptedRun();
  ASSERT_TRUE(store_->JobStarted(id, 0, "a", 1, 2).ok());
  ASSERT_TRUE(store_->JobStarted(id, 1, "b", 1, 1).ok());
  ASSERT_TRUE(store_->AttemptFinished(AttemptRecord{id, 1, 3, 0, 0, false, 1, 1, 1, 1, 1, 1}).ok());
  auto log = LogWriter::Open(dir_ + "/logs", id);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Append(2, 4, "output of an attempt the store never heard of").ok());
  ASSERT_TRUE((*log)->Flush().ok());
  auto made = AttemptsMade(*store_, id, **log, 4);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(*made, (std::vector<int>{2, 3, 4, 0}));
}

}  // namespace
}  // namespace gauntlet::store
