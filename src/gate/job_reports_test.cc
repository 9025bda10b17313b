#include "gate/job_reports.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cache/test_dir.h"

namespace gauntlet::gate {
namespace {

const char* kJUnit = R"(<?xml version="1.0"?>
<testsuite name="calc" tests="3" failures="1" skipped="1">
  <testcase classname="calc" name="adds" file="tests/calc_test.c" line="3"/>
  <testcase classname="calc" name="divides" file="tests/calc_test.c" line="12">
    <failure message="expected 2, got 3">calc_test.c:12</failure>
  </testcase>
  <testcase classname="calc" name="later"><skipped/></testcase>
</testsuite>
)";

const char* kLcov =
    "SF:src/calc.c\nDA:1,1\nDA:2,1\nDA:3,0\nDA:4,1\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n";

class GateJobReportsTest : public ::testing::Test {
 protected:
  JobReportContext Context(const std::string& job_dir = "svc") const {
    JobReportContext c;
    c.workspace_root = dir_.path() + "/ws";
    c.job_dir = job_dir;
    c.repo_root = dir_.path();
    return c;
  }
  cache::TestDir dir_;
};

TEST_F(GateJobReportsTest, ReadsJUnitAndCoverageRelativeToTheJobDirectory) {
  dir_.Write("ws/svc/out/junit.xml", kJUnit);
  dir_.Write("ws/svc/out/lcov.info", kLcov);
  JobReports r = ReadJobReports({"out/junit.xml", "out/lcov.info"}, Context());
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  ASSERT_TRUE(r.tests.has_value());
  EXPECT_EQ(r.tests->tests, 3);
  EXPECT_EQ(r.tests->failures, 1);
  EXPECT_EQ(r.tests->skipped, 1);
  ASSERT_EQ(r.tests->diagnostics.size(), 1u);
  // Paths come out relative to the repository root, which holds the workspace.
  EXPECT_EQ(r.tests->diagnostics[0].file, "ws/svc/tests/calc_test.c");
  EXPECT_EQ(r.tests->diagnostics[0].line, 12);
  ASSERT_TRUE(r.coverage.has_value());
  EXPECT_EQ(r.coverage->lines_total, 4);
  EXPECT_EQ(r.coverage->lines_covered, 3);
  ASSERT_EQ(r.coverage->files.size(), 1u);
  EXPECT_EQ(r.coverage->files[0].file, "ws/svc/src/calc.c");
}

TEST_F(GateJobReportsTest, NothingToReadForAJobWithoutReports) {
  JobReports r = ReadJobReports({}, Context("does/not/exist"));
  EXPECT_FALSE(r.tests || r.coverage);
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(GateJobReportsTest, MissingAndUnparseableFilesAreWarnings) {
  dir_.Write("ws/svc/cov.info", "this is not coverage\n");
  JobReports r = ReadJobReports({"junit.xml", "cov.info"}, Context());
  EXPECT_FALSE(r.tests || r.coverage);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "junit report 'junit.xml' no such file (the job did not write it)");
  EXPECT_NE(r.warnings[1].find("coverage report 'cov.info' cannot be read"), std::string::npos)
      << r.warnings[1];
}

TEST_F(GateJobReportsTest, PathsEscapingTheWorkspaceAreRefusedUnread) {
  dir_.Write("secret.xml", kJUnit);  // beside the workspace, not in it
  dir_.Write("ws/svc/placeholder", "");
  JobReports r = ReadJobReports({"../../secret.xml", dir_ / "secret.xml"}, Context());
  EXPECT_FALSE(r.tests || r.coverage);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("escapes the workspace"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("absolute path"), std::string::npos) << r.warnings[1];
  // A job directory outside the workspace does not widen it.
  JobReports out = ReadJobReports({"secret.xml", ""}, Context(dir_.path()));
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("escapes the workspace"), std::string::npos);
}

TEST_F(GateJobReportsTest, SymlinksOutOfTheWorkspaceAreRefused) {
  dir_.Write("secret.xml", kJUnit);
  dir_.Write("ws/svc/placeholder", "");
  ASSERT_EQ(::symlink((dir_ / "secret.xml").c_str(), (dir_ / "ws/svc/junit.xml").c_str()), 0);
  ASSERT_EQ(::symlink(dir_.path().c_str(), (dir_ / "ws/svc/up").c_str()), 0);
  JobReports r = ReadJobReports({"junit.xml", "up/secret.xml"}, Context());
  EXPECT_FALSE(r.tests || r.coverage);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("symlink"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("symlink"), std::string::npos) << r.warnings[1];
}

TEST_F(GateJobReportsTest, AFileOlderThanTheJobIsStale) {
  dir_.Write("ws/svc/junit.xml", kJUnit);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "ws/svc/junit.xml").c_str(), &st), 0);
  JobReportContext c = Context();
  c.not_before_ms = int64_t{st.st_mtim.tv_sec} * 1000 + 60'000;  // the job started a minute later
  JobReports stale = ReadJobReports({"junit.xml", ""}, c);
  EXPECT_FALSE(stale.tests.has_value());
  ASSERT_EQ(stale.warnings.size(), 1u);
  EXPECT_NE(stale.warnings[0].find("not written by this run"), std::string::npos);
  c.not_before_ms = int64_t{st.st_mtim.tv_sec} * 1000;  // written while the job ran
  EXPECT_TRUE(ReadJobReports({"junit.xml", ""}, c).tests.has_value());
}

}  // namespace
}  // namespace gauntlet::gate
