#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

class SqliteReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-reports-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = SqliteStore::Open(dir_ + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    RunRecord r;
    r.pipeline = "ci";
    r.file = "gauntlet.yml";
    auto id = store_->CreateRun(r);
    ASSERT_TRUE(id.ok());
    run_ = *id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  RunId run_ = 0;
};

TEST_F(SqliteReportsTest, ReportsReplaceByRunJobAndKind) {
  ASSERT_TRUE(store_->PutReport({run_, 2, "unit", "junit", R"({"tests":3})"}).ok());
  ASSERT_TRUE(store_->PutReport({run_, 1, "cov", "coverage", R"({"lines_total":10})"}).ok());
  ASSERT_TRUE(store_->PutReport({run_, 2, "unit", "junit", R"({"tests":4})"}).ok());
  ASSERT_TRUE(store_->PutReport({run_, 2, "unit", "coverage", "{}"}).ok());
  auto reports = store_->GetReports(run_);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 3u);
  EXPECT_EQ((*reports)[0].job_name, "cov");
  EXPECT_EQ((*reports)[1].kind, "coverage");
  EXPECT_EQ((*reports)[2].kind, "junit");
  EXPECT_EQ((*reports)[2].json, R"({"tests":4})");
  auto other = store_->GetReports(run_ + 1);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

TEST_F(SqliteReportsTest, IncidentsListFromATimeOldestFirst) {
  IncidentRecord late{0, "revert", "bbbb", "", "", "Revert \"add auth\"", 2000};
  IncidentRecord early{0, "rollback", "aaaa", "prod", "1.2.0", "error rate", 1000};
  auto a = store_->RecordIncident(late);
  auto b = store_->RecordIncident(early);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto all = store_->ListIncidents(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].kind, "rollback");
  EXPECT_EQ((*all)[0].environment, "prod");
  EXPECT_EQ((*all)[0].version, "1.2.0");
  EXPECT_EQ((*all)[0].id, *b);
  EXPECT_EQ((*all)[1].git_commit, "bbbb");
  auto recent = store_->ListIncidents(1500);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].detail, "Revert \"add auth\"");
}

}  // namespace
}  // namespace gauntlet::store
