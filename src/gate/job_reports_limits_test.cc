// The two limits on a job's report files (docs/diagnostics.md), each at the boundary and
// one step past it: a file older than the job's first attempt by more than a second is
// stale, and a file over the size limit (256 MiB) is not read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "cache/test_dir.h"
#include "gate/job_reports.h"

namespace gauntlet::gate {
namespace {

constexpr int64_t kWrittenMs = 1'700'000'000'000;  // the report's modification time

class GateReportLimitsTest : public ::testing::Test {
 protected:
  JobReportContext Context() const {
    JobReportContext c;
    c.workspace_root = dir_.path();
    c.job_dir = ".";
    c.repo_root = dir_.path();
    return c;
  }
  cache::TestDir dir_;
};

TEST_F(GateReportLimitsTest, AReportUpToOneSecondOlderThanTheJobIsStillItsOwn) {
  dir_.Write("junit.xml", "<testsuite name=\"s\" tests=\"1\"><testcase name=\"t\"/></testsuite>\n");
  const timespec times[2] = {{kWrittenMs / 1000, 0}, {kWrittenMs / 1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir_ / "junit.xml").c_str(), times, 0), 0);
  JobReportContext c = Context();
  c.not_before_ms = kWrittenMs + 1000;  // the job started a second after the file was written
  JobReports at = ReadJobReports({"junit.xml", ""}, c);
  EXPECT_TRUE(at.tests.has_value()) << (at.warnings.empty() ? "" : at.warnings[0]);
  c.not_before_ms = kWrittenMs + 1001;
  JobReports past = ReadJobReports({"junit.xml", ""}, c);
  EXPECT_FALSE(past.tests.has_value());
  ASSERT_EQ(past.warnings.size(), 1u);
  EXPECT_NE(past.warnings[0].find("not written by this run"), std::string::npos);
}

TEST_F(GateReportLimitsTest, AReportAsLargeAsTheLimitIsReadAndOneByteMoreIsNot) {
  const std::string junit =
      "<testsuite name=\"s\" tests=\"1\"><testcase name=\"t\"/></testsuite>\n";
  dir_.Write("junit.xml", junit);
  JobReportContext c = Context();
  c.max_bytes = static_cast<int64_t>(junit.size());
  JobReports at = ReadJobReports({"junit.xml", ""}, c);
  EXPECT_TRUE(at.tests.has_value()) << (at.warnings.empty() ? "" : at.warnings[0]);
  c.max_bytes -= 1;
  JobReports over = ReadJobReports({"junit.xml", ""}, c);
  EXPECT_FALSE(over.tests.has_value());
  ASSERT_EQ(over.warnings.size(), 1u);
  EXPECT_NE(over.warnings[0].find("more than the"), std::string::npos) << over.warnings[0];
}

// The default limit is 256 MiB: a sparse file one byte larger is refused before any read.
TEST_F(GateReportLimitsTest, TheDefaultLimitIs256MiB) {
  int fd = ::open((dir_ / "big.xml").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, (off_t{256} << 20) + 1), 0);
  ::close(fd);
  EXPECT_EQ(Context().max_bytes, int64_t{256} << 20);
  JobReports over = ReadJobReports({"big.xml", ""}, Context());
  ASSERT_EQ(over.warnings.size(), 1u);
  EXPECT_NE(over.warnings[0].find("is 256 MiB, more than the 256 MiB read; not read"),
            std::string::npos)
      << over.warnings[0];
}

}  // namespace
}  // namespace gauntlet::gate
