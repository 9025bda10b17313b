// The recorder with the real pieces it runs with: SQLite, the run's log file and
// the store's RunRecorder whose batch it writes into.
#include "gate/report_recorder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cache/test_dir.h"
#include "gate/report_json.h"
#include "store/run_recorder.h"
#include "store/sqlite_store.h"

namespace gauntlet::gate {
namespace {

const char* kJUnit = R"(<testsuite name="s">
  <testcase classname="s" name="a"/>
  <testcase classname="s" name="b"><failure message="boom"/></testcase>
  <testcase classname="s" name="c"><skipped/></testcase>
</testsuite>)";

class GateReportRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_ / ".gauntlet/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    store::RunRecord r;
    r.pipeline = "ci";
    auto id = store_->CreateRun(r);
    ASSERT_TRUE(id.ok());
    run_.id = *id;
    auto log = store::LogWriter::Open(dir_ / ".gauntlet/logs", run_.id);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
  }

  // A plan of jobs, one per spec; the specs must outlive it.
  plan::Plan MakePlan(const std::vector<spec::Job>& specs) {
    plan::Plan p;
    for (size_t i = 0; i < specs.size(); ++i) {
      plan::PlannedJob j;
      j.id = static_cast<int>(i);
      j.name = j.base_name = specs[i].name;
      j.spec = &specs[i];
      p.jobs.push_back(j);
    }
    return p;
  }

  ReportRecorder::Options Options() {
    return {dir_.path(), dir_.path(), [this] { return now_; }};
  }

  static exec::JobResult Finished(exec::JobState state) {
    exec::JobResult r;
    r.state = state;
    r.attempts = 1;
    return r;
  }

  cache::TestDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::LogWriter> log_;
  store::RunRecord run_;
  int64_t now_ = 0;
};

TEST_F(GateReportRecorderTest, ReportsAndMetricsCommitWithTheJobsResult) {
  std::vector<spec::Job> specs(3);
  specs[0].name = "unit";
  specs[0].reports.junit = "unit.xml";
  specs[0].reports.coverage = "unit.info";
  specs[1].name = "lint";  // no reports: nothing read, nothing stored
  specs[2].name = "e2e";
  specs[2].reports.junit = "e2e.xml";
  specs[2].reports.coverage = "e2e.info";
  plan::Plan plan = MakePlan(specs);
  dir_.Write("unit.xml", kJUnit);
  dir_.Write("unit.info", "SF:a.c\nDA:1,1\nDA:2,0\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nend_of_record\n");
  dir_.Write("e2e.xml", kJUnit);
  dir_.Write("e2e.info", "SF:b.c\nDA:1,1\nDA:2,1\nend_of_record\n");

  // A second connection, as `gauntlet status` would read while the run goes on.
  auto reader = store::SqliteStore::Open(dir_ / ".gauntlet/state.db");
  ASSERT_TRUE(reader.ok());
  store::RunRecorder recorder(store_.get(), log_.get(), &run_, [] { return int64_t{1}; });
  ReportRecorder reports(store_.get(), log_.get(), run_.id, Options());
  exec::ObserverList list;
  list.Add(&recorder);
  list.Add(&reports);
  list.OnRunStarted(plan);
  for (const auto& job : plan.jobs) {
    list.OnJobStarted(job, 1);
    list.OnJobFinished(job, Finished(job.id == 2 ? exec::JobState::kFailed
                                                 : exec::JobState::kSuccess));
  }

  // The reader sees nothing of the batch before the commit point...
  auto before = (*reader)->GetReports(run_.id);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
  list.Flush();
  // ...and everything after it.
  auto after = (*reader)->GetReports(run_.id);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 4u);
  EXPECT_EQ((*after)[0].job_name, "unit");
  EXPECT_EQ((*after)[0].kind, "coverage");
  EXPECT_EQ((*after)[1].kind, "junit");
  EXPECT_EQ((*after)[2].job_name, "e2e");
  auto tests = TestReportFromJson((*after)[1].json);
  ASSERT_TRUE(tests.ok());
  EXPECT_EQ(tests->failures, 1);
  auto metrics = (*reader)->GetMetrics(run_.id);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ((*metrics)["tests.total"], 6);
  EXPECT_EQ((*metrics)["tests.failed"], 2);
  EXPECT_EQ((*metrics)["tests.skipped"], 2);
  EXPECT_DOUBLE_EQ((*metrics)["coverage.line"], 75.0);  // 3 of 4 lines over both jobs
  EXPECT_DOUBLE_EQ((*metrics)["coverage.branch"], 50.0);
  EXPECT_TRUE(reports.warnings().empty());
  EXPECT_TRUE(reports.status().ok());
}

TEST_F(GateReportRecorderTest, ProblemsAreWarningsInTheLogAndTheStore) {
  std::vector<spec::Job> specs(2);
  specs[0].name = "unit";
  specs[0].reports.junit = "../outside.xml";
  specs[0].reports.coverage = "missing.info";
  specs[1].name = "skipped";
  specs[1].reports.junit = "x.xml";
  plan::Plan plan = MakePlan(specs);
  store::RunRecorder recorder(store_.get(), log_.get(), &run_, [] { return int64_t{1}; });
  ReportRecorder reports(store_.get(), log_.get(), run_.id, Options());
  exec::ObserverList list;
  list.Add(&recorder);
  list.Add(&reports);
  list.OnRunStarted(plan);
  list.OnJobStarted(plan.jobs[0], 1);
  list.OnJobFinished(plan.jobs[0], Finished(exec::JobState::kFailed));
  exec::JobResult skipped;  // never ran: its reports are not looked for
  list.OnJobFinished(plan.jobs[1], skipped);
  list.Flush();

  ASSERT_EQ(reports.warnings().size(), 2u);
  EXPECT_NE(reports.warnings()[0].find("job 'unit': junit report '../outside.xml' escapes"),
            std::string::npos)
      << reports.warnings()[0];
  auto stored = store_->GetReports(run_.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].kind, kWarningsReportKind);
  auto json = nlohmann::json::parse((*stored)[0].json);
  EXPECT_EQ(json["warnings"].size(), 2u);
  auto metrics = store_->GetMetrics(run_.id);
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(metrics->empty());
  ASSERT_TRUE(log_->Close().ok());
  auto log = store::LogReader(dir_ / ".gauntlet/logs").ReadJob(run_.id, 0, 1);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("gauntlet: warning: coverage report 'missing.info' no such file"),
            std::string::npos)
      << *log;
}

}  // namespace
}  // namespace gauntlet::gate
