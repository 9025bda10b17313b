// The pipeline file's documented limits and ranges, each tested at the boundary and one
// step past it (docs/pipeline.md), and the YAML features it promises to refuse or ignore.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/cron_check.h"
#include "spec/load.h"

namespace gauntlet::spec {
namespace {

LoadResult LoadText(const std::string& text) { return LoadString(text, "gauntlet.yml"); }

std::vector<std::string> ProblemMessages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const Problem& p : r.problems.all()) out.push_back(p.message);
  return out;
}

// "1, 2, ..., n" as a YAML flow sequence.
std::string Values(int n) {
  std::string s = "[";
  for (int i = 1; i <= n; ++i) s += (i > 1 ? ", " : "") + std::to_string(i);
  return s + "]";
}

std::string MatrixJob(const std::string& matrix) {
  return "jobs:\n  unit:\n    run: make test\n    matrix: " + matrix + "\n";
}

TEST(LoadLimitsTest, AMatrixOfAtMost256JobsIsAccepted) {
  EXPECT_TRUE(LoadText(MatrixJob("{a: " + Values(16) + ", b: " + Values(16) + "}")).ok());
  // An include that merges into existing combinations adds no job: still 256.
  LoadResult merged = LoadText(
      MatrixJob("{a: " + Values(16) + ", b: " + Values(16) + ", include: [{a: 1, extra: yes}]}"));
  EXPECT_TRUE(merged.ok()) << merged.problems.Format(merged.source);

  const std::string over = "matrix of job 'unit' expands to more than 256 jobs";
  // An include that matches no combination is a 257th job.
  EXPECT_EQ(ProblemMessages(LoadText(MatrixJob("{a: " + Values(16) + ", b: " + Values(16) +
                                               ", include: [{a: 17, b: 1}]}"))),
            std::vector<std::string>{over});
  EXPECT_EQ(ProblemMessages(LoadText(MatrixJob("{a: " + Values(257) + "}"))),
            std::vector<std::string>{over});
  EXPECT_TRUE(LoadText(MatrixJob("{a: " + Values(256) + "}")).ok());
}

TEST(LoadLimitsTest, GateValuesAtTheEndsOfTheirRanges) {
  auto gates = [](const std::string& body) {
    return LoadText("jobs: {build: {run: make}}\ngates:\n" + body);
  };
  EXPECT_TRUE(gates("  max_fix_attempts: 0\n").ok());
  EXPECT_TRUE(gates("  max_fix_attempts: 100\n").ok());
  EXPECT_FALSE(gates("  max_fix_attempts: 101\n").ok());
  EXPECT_FALSE(gates("  max_fix_attempts: -1\n").ok());
  EXPECT_TRUE(gates("  coverage: {min_line: 0, new_code_line: 100}\n").ok());
  EXPECT_FALSE(gates("  coverage: {min_line: 100.5}\n").ok());
  EXPECT_FALSE(gates("  coverage: {new_code_line: -0.5}\n").ok());
  EXPECT_TRUE(gates("  trust: {l1: {max_incident_rate: 1}}\n").ok());
  EXPECT_TRUE(gates("  trust: {l1: {max_incident_rate: 0}}\n").ok());
  EXPECT_FALSE(gates("  trust: {l1: {max_incident_rate: 1.01}}\n").ok());
}

// Each cron field at both ends of its range and one past each (docs/pipeline.md).
TEST(LoadLimitsTest, CronFieldsAtTheEndsOfTheirRanges) {
  for (const char* ok : {"0 0 1 1 0", "59 23 31 12 7", "0 0 * * sun", "0 0 * dec *"}) {
    EXPECT_FALSE(CheckCron(ok).has_value()) << ok;
  }
  for (const char* bad : {"60 0 * * *", "0 24 * * *", "0 0 32 * *", "0 0 0 * *", "0 0 * 13 *",
                          "0 0 * 0 *", "0 0 * * 8", "-1 0 * * *", "@daily", "@hourly"}) {
    EXPECT_TRUE(CheckCron(bad).has_value()) << bad;
  }
}

TEST(LoadLimitsTest, MergeKeysAreRefusedAndLaterDocumentsIgnored) {
  LoadResult merge = LoadText(R"Y(
jobs:
  build: &base { run: make }
  test:
    <<: *base
)Y");
  EXPECT_FALSE(merge.ok());
  EXPECT_NE(merge.problems.Format(merge.source).find("'<<'"), std::string::npos)
      << merge.problems.Format(merge.source);

  LoadResult two = LoadText("jobs: {first: {run: a}}\n---\njobs: {second: {run: b}}\n");
  ASSERT_TRUE(two.ok()) << two.problems.Format(two.source);
  ASSERT_EQ(two.pipeline.jobs.size(), 1u);
  EXPECT_EQ(two.pipeline.jobs[0].name, "first");
}

}  // namespace
}  // namespace gauntlet::spec
