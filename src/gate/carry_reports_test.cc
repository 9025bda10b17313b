// Carrying reports between two runs of a real SQLite store.
#include "gate/carry_reports.h"

#include <gtest/gtest.h>

#include "cache/test_dir.h"
#include "gate/report_json.h"
#include "store/sqlite_store.h"

namespace gauntlet::gate {
namespace {

class GateCarryReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_ / "state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    store::RunRecord r;
    r.pipeline = "ci";
    for (store::RunId* id : {&from_, &to_}) {
      auto created = store_->CreateRun(r);
      ASSERT_TRUE(created.ok());
      *id = *created;
    }
  }

  static std::string CoverageJson(int total, int covered) {
    Coverage c;
    c.lines_total = total;
    c.lines_covered = covered;
    return ToJson(c).dump();
  }
  static std::string TestsJson(int tests, int failures) {
    TestReport t;
    t.tests = tests;
    t.failures = failures;
    return ToJson(t).dump();
  }
  void Put(store::RunId run, int index, const std::string& name, const std::string& kind,
           const std::string& json) {
    ASSERT_TRUE(store_->PutReport({run, index, name, kind, json}).ok());
  }

  cache::TestDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  store::RunId from_ = 0, to_ = 0;
};

TEST_F(GateCarryReportsTest, CopiesTheNamedJobsReportsUnderTheirNewIndexesWithMetrics) {
  Put(from_, 0, "unit", "coverage", CoverageJson(10, 8));
  Put(from_, 0, "unit", "junit", TestsJson(5, 0));
  Put(from_, 1, "e2e", "coverage", CoverageJson(10, 2));  // re-run: not carried
  Put(from_, 2, "lint", "warnings", R"({"warnings":["x"]})");

  auto n = CarryReports(*store_, from_, to_, {{"unit", 3}, {"lint", 0}});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  auto got = store_->GetReports(to_);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].job_name, "lint");
  EXPECT_EQ((*got)[0].job_index, 0);
  EXPECT_EQ((*got)[0].kind, "warnings");
  EXPECT_EQ((*got)[1].job_name, "unit");
  EXPECT_EQ((*got)[1].job_index, 3);
  EXPECT_EQ((*got)[1].kind, "coverage");
  EXPECT_EQ((*got)[1].json, CoverageJson(10, 8));
  EXPECT_EQ((*got)[2].kind, "junit");

  auto metrics = store_->GetMetrics(to_);
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ((*metrics)["coverage.line"], 80.0);
  EXPECT_DOUBLE_EQ((*metrics)["tests.total"], 5);
  EXPECT_DOUBLE_EQ((*metrics)["tests.failed"], 0);
  EXPECT_EQ(metrics->count("coverage.branch"), 0u);
  // The earlier run is untouched.
  auto earlier = store_->GetReports(from_);
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->size(), 4u);
}

TEST_F(GateCarryReportsTest, MetricsCountTheReportsTheRunHoldsAlready) {
  Put(from_, 0, "unit", "coverage", CoverageJson(10, 10));
  Put(to_, 1, "e2e", "coverage", CoverageJson(10, 0));
  auto n = CarryReports(*store_, from_, to_, {{"unit", 0}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto metrics = store_->GetMetrics(to_);
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ((*metrics)["coverage.line"], 50.0);
}

TEST_F(GateCarryReportsTest, NothingToCarryWritesNothing) {
  Put(from_, 0, "unit", "coverage", CoverageJson(10, 10));
  auto none = CarryReports(*store_, from_, to_, {{"other", 0}});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto same = CarryReports(*store_, from_, from_, {{"unit", 0}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, 0);
  auto metrics = store_->GetMetrics(to_);
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(metrics->empty());
}

}  // namespace
}  // namespace gauntlet::gate
