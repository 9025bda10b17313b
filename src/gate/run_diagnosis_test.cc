// Diagnosing a stored run's failed jobs with the real pieces: SQLite, the run's
// log file, the gcc parser and a stored JUnit report.
#include "gate/run_diagnosis.h"

#include <gtest/gtest.h>

#include "cache/test_dir.h"
#include "gate/report_json.h"
#include "gate/report_recorder.h"
#include "store/log_store.h"
#include "store/sqlite_store.h"

namespace gauntlet::gate {
namespace {

class GateRunDiagnosisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_ / ".gauntlet/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    run_.pipeline = "ci";
    run_.file = dir_ / "gauntlet.yml";
    auto id = store_->CreateRun(run_);
    ASSERT_TRUE(id.ok());
    run_.id = *id;
  }

  // A failed job, `log` its output, recorded as the engine records it.
  store::JobRecord Failed(int index, const std::string& name, const std::string& log) {
    auto writer = store::LogWriter::Open(dir_ / ".gauntlet/logs", run_.id);
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->Append(static_cast<uint32_t>(index), 1, log).ok());
    EXPECT_TRUE((*writer)->Close().ok());
    store::AttemptRecord a;
    a.run_id = run_.id;
    a.job_index = index;
    a.exit_code = 1;
    EXPECT_TRUE(store_->JobStarted(run_.id, index, name, 1, 1).ok());
    EXPECT_TRUE(store_->AttemptFinished(a).ok());
    EXPECT_TRUE(
        store_->JobFinished(run_.id, index, name, store::JobStatus::kFailed, 2, {}, "exit code 1")
            .ok());
    auto jobs = store_->GetJobs(run_.id);
    EXPECT_TRUE(jobs.ok());
    for (const store::JobRecord& j : *jobs) {
      if (j.index == index) return j;
    }
    ADD_FAILURE() << "job not recorded";
    return {};
  }

  RunContext Context(const plan::Plan* plan) {
    return ContextForFile(run_.file, plan, dir_ / ".gauntlet/logs");
  }

  cache::TestDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  store::RunRecord run_;
};

TEST_F(GateRunDiagnosisTest, ParsesTheStoredLogWithTheJobsParsers) {
  spec::Job spec;
  spec.name = "compile";
  spec.diagnostics = {"gcc"};
  plan::Plan plan;
  plan::PlannedJob planned;
  planned.name = planned.base_name = "compile";
  planned.spec = &spec;
  plan.jobs.push_back(planned);
  store::JobRecord job = Failed(
      0, "compile", "src/a.c:4:10: error: 'missing' undeclared (first use in this function)\n");

  auto got = DiagnoseRunJobs(*store_, run_, {job}, Context(&plan), 5);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  const DiagnosedJob& d = (*got)[0];
  EXPECT_EQ(d.job.name, "compile");
  ASSERT_TRUE(d.last_attempt.has_value());
  EXPECT_EQ(d.last_attempt->exit_code, 1);
  EXPECT_EQ(d.parsers, std::vector<std::string>{"gcc"});
  ASSERT_EQ(d.diagnosis.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnosis.diagnostics[0].file, "src/a.c");
  EXPECT_EQ(d.diagnosis.diagnostics[0].line, 4);
  EXPECT_EQ(d.diagnosis.diagnostics[0].col, 10);
  ASSERT_TRUE(d.diagnosis.category.has_value());
  EXPECT_EQ(*d.diagnosis.category, Category::kBuild);
  EXPECT_NE(d.diagnosis.suggestion.find("src/a.c:4:10"), std::string::npos);
  EXPECT_NE(d.diagnosis.log_tail.find("undeclared"), std::string::npos);
  EXPECT_TRUE(d.diagnosis.warnings.empty());
}

TEST_F(GateRunDiagnosisTest, WithoutThePipelineTheStoredReportsStillSpeak) {
  store::JobRecord job = Failed(0, "unit", "1 failed\n");
  TestReport tests;
  tests.tests = 2;
  tests.failures = 1;
  Diagnostic failure;
  failure.file = "tests/calc_test.c";
  failure.line = 12;
  failure.category = Category::kTest;
  failure.message = "expected 2, got 3";
  tests.diagnostics.push_back(failure);
  ASSERT_TRUE(store_->PutReport({run_.id, 0, "unit", "junit", ToJson(tests).dump()}).ok());
  ASSERT_TRUE(store_
                  ->PutReport({run_.id, 0, "unit", kWarningsReportKind,
                               R"({"warnings":["coverage report 'x.info' no such file"]})"})
                  .ok());

  auto got = DiagnoseRunJobs(*store_, run_, {job}, Context(nullptr), 5);
  ASSERT_TRUE(got.ok()) << got.error().message;
  const DiagnosedJob& d = (*got)[0];
  EXPECT_TRUE(d.parsers.empty());
  ASSERT_TRUE(d.tests.has_value());
  EXPECT_EQ(d.tests->failures, 1);
  ASSERT_EQ(d.diagnosis.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnosis.diagnostics[0].file, "tests/calc_test.c");
  EXPECT_EQ(*d.diagnosis.category, Category::kTest);
  EXPECT_EQ(d.report_warnings, std::vector<std::string>{"coverage report 'x.info' no such file"});
}

TEST_F(GateRunDiagnosisTest, AJobNoLongerInThePipelineIsSaidSo) {
  plan::Plan plan;  // the job was removed from the file since the run
  store::JobRecord job = Failed(0, "gone", "boom\n");
  auto got = DiagnoseRunJobs(*store_, run_, {job}, Context(&plan), 5);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ((*got)[0].diagnosis.warnings.size(), 1u);
  EXPECT_NE((*got)[0].diagnosis.warnings[0].find("job 'gone' is no longer in"), std::string::npos);
  EXPECT_EQ((*got)[0].diagnosis.log_tail, "boom\n");
}

TEST_F(GateRunDiagnosisTest, NoJobsNoReads) {
  auto got = DiagnoseRunJobs(*store_, run_, {}, Context(nullptr), 5);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace gauntlet::gate
