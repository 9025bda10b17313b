#include "gate/trust_history.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::gate {
namespace {

constexpr int64_t kHistoryT0 = 1'700'000'000'000;
constexpr int64_t kHistoryHour = 3600 * 1000;
constexpr int64_t kHistoryDay = 24 * kHistoryHour;

// Synthetic histories in a real SQLite store: hundreds of runs, inserted directly.
class TrustHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-trusth-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = store::SqliteStore::Open(dir_ + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void AddRun(const std::string& commit, const std::string& email, int64_t at,
              store::RunStatus status = store::RunStatus::kSuccess,
              const std::string& branch = "main", const std::string& pipeline = "webapp") {
    store::RunRecord r;
    r.pipeline = pipeline;
    r.file = "gauntlet.yml";
    r.status = status;
    r.started_ms = at - 1000;
    r.finished_ms = at;
    r.git_commit = commit;
    r.git_branch = branch;
    r.author_name = email.substr(0, email.find('@'));
    r.author_email = email;
    r.subject = "change " + commit;
    auto id = store_->CreateRun(r);
    ASSERT_TRUE(id.ok()) << id.error().message;
  }

  // `n` merged changes by `email`, an hour apart, commits named prefix0..prefixN-1.
  void AddMerges(const std::string& prefix, const std::string& email, int n, int64_t from) {
    store::Batch batch(*store_);
    for (int i = 0; i < n; ++i) AddRun(prefix + std::to_string(i), email, from + i * kHistoryHour);
    ASSERT_TRUE(batch.Commit().ok());
  }

  TrustStanding Standing(const std::string& author, int64_t now) {
    auto h = LoadTrustHistories(*store_, scope_);
    EXPECT_TRUE(h.ok()) << h.error().message;
    auto s = StandingOf(*store_, scope_, gates_, *h, author, now);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? *s : TrustStanding{};
  }

  std::string dir_;
  std::unique_ptr<store::SqliteStore> store_;
  TrustScope scope_{"webapp", "main"};
  spec::Gates gates_;
};

TEST_F(TrustHistoryTest, MergedMeansDistinctCommitsGreenOnTheDefaultBranch) {
  AddMerges("a", "ada@example.com", 19, kHistoryT0);
  AddRun("a0", "ada@example.com", kHistoryT0 + 100 * kHistoryHour);  // a second green run: same change
  AddRun("f1", "ada@example.com", kHistoryT0 + 101 * kHistoryHour, store::RunStatus::kSuccess, "feature");
  AddRun("x1", "ada@example.com", kHistoryT0 + 102 * kHistoryHour, store::RunStatus::kFailed);
  AddRun("o1", "ada@example.com", kHistoryT0 + 103 * kHistoryHour, store::RunStatus::kSuccess, "main", "other");
  TrustStanding s = Standing("ada@example.com", kHistoryT0 + 200 * kHistoryHour);
  EXPECT_EQ(s.merged, 19);
  EXPECT_EQ(s.level, TrustLevel::kL0);
  AddRun("x1", "ADA@example.com", kHistoryT0 + 104 * kHistoryHour);  // the failed commit, fixed and green
  s = Standing("ada@example.com", kHistoryT0 + 200 * kHistoryHour);
  EXPECT_EQ(s.merged, 20);
  EXPECT_EQ(s.level, TrustLevel::kL1);
}

TEST_F(TrustHistoryTest, LadderFromHundredsOfRunsWithADemotionRecorded) {
  AddMerges("c", "ada@example.com", 520, kHistoryT0);  // ~22 days of changes
  AddMerges("b", "bob@example.com", 25, kHistoryT0);
  const int64_t now = kHistoryT0 + 120 * kHistoryDay;
  TrustStanding ada = Standing("ada@example.com", now);
  EXPECT_EQ(ada.level, TrustLevel::kL3);
  EXPECT_EQ(ada.merged, 520);
  EXPECT_EQ(Standing("bob@example.com", now).level, TrustLevel::kL1);
  EXPECT_EQ(Standing("eve@example.com", now).level, TrustLevel::kL0);

  // A rollback blamed on one of Ada's commits, by an abbreviated id.
  store::IncidentRecord rollback{0,       "rollback",      "c51",     "production",
                                 "1.4.0", "error rate 9%", now + 1000};
  ASSERT_TRUE(store_->RecordIncident(rollback).ok());
  store::IncidentRecord unknown{0, "rollback", "zzz", "production", "", "", now + 2000};
  ASSERT_TRUE(store_->RecordIncident(unknown).ok());
  ada = Standing("ada@example.com", now + kHistoryDay);
  EXPECT_EQ(ada.level, TrustLevel::kL0);
  EXPECT_EQ(ada.incidents, 1);
  EXPECT_EQ(Standing("bob@example.com", now + kHistoryDay).level, TrustLevel::kL1);

  auto changes = store_->ListTrustChanges("webapp", "ada@example.com");
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  ASSERT_EQ(changes->size(), 4u);  // L1, L2, L3 (with time), then the demotion: each once
  EXPECT_EQ((*changes)[0].to_level, "L1");
  EXPECT_EQ((*changes)[2].to_level, "L3");
  EXPECT_EQ((*changes)[2].at_ms, kHistoryT0 + 90 * kHistoryDay);
  EXPECT_EQ((*changes)[3].from_level, "L3");
  EXPECT_EQ((*changes)[3].to_level, "L0");
  EXPECT_NE((*changes)[3].reason.find("rollback in production: error rate 9%"), std::string::npos);
  EXPECT_EQ((*changes)[3].at_ms, now + 1000);
}

TEST_F(TrustHistoryTest, RevertCommitsRecordOneIncidentEach) {
  AddMerges("c", "ada@example.com", 25, kHistoryT0);
  Identity id;
  ChangeCommit revert;
  revert.commit = "r1r1r1r1r1r1";
  revert.subject = "Revert \"change c24\"";
  revert.reverts = "c24";
  id.commits.push_back(revert);
  auto n = RecordRevertIncidents(*store_, id, kHistoryT0 + 30 * kHistoryHour);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  n = RecordRevertIncidents(*store_, id, kHistoryT0 + 31 * kHistoryHour);  // judged again: not twice
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  auto incidents = store_->ListIncidents(0);
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].kind, "revert");
  EXPECT_EQ((*incidents)[0].git_commit, "c24");
  EXPECT_EQ((*incidents)[0].detail, "reverted by r1r1r1r1r1 (Revert \"change c24\")");
  TrustStanding ada = Standing("ada@example.com", kHistoryT0 + 40 * kHistoryHour);
  EXPECT_EQ(ada.level, TrustLevel::kL0);
  EXPECT_EQ(ada.incidents, 1);
}

}  // namespace
}  // namespace gauntlet::gate
