#include "gate/coverage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadCorpus;

ParseOptions Root(const std::string& dir) {
  return {std::string(testing::kCaptureRoot) + "/coverage/" + dir};
}

// gcc --coverage on coverage/c: lib.c lines 1 2 3 6 run, 4 9 10 not; main.c 3 4.
void ExpectCProgram(const Coverage& c) {
  ASSERT_EQ(c.files.size(), 2u);
  const FileCoverage* lib = c.Find("lib.c");
  ASSERT_NE(lib, nullptr);
  EXPECT_THAT(lib->covered, ElementsAre(1, 2, 3, 6));
  EXPECT_THAT(lib->uncovered, ElementsAre(4, 9, 10));
  EXPECT_EQ(lib->branches_total, 4);
  EXPECT_EQ(lib->branches_covered, 2);
  EXPECT_EQ(c.lines_total, 9);
  EXPECT_EQ(c.lines_covered, 6);
  EXPECT_NEAR(c.LinePercent(), 66.67, 0.01);
  EXPECT_DOUBLE_EQ(c.BranchPercent(), 50.0);
}

TEST(GateCoverageTest, LcovFromGcc) {
  auto c = ParseCoverage(ReadCorpus("coverage/c/lcov.info"), Root("c"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->format, CoverageFormat::kLcov);
  ExpectCProgram(*c);
}

TEST(GateCoverageTest, CoberturaFromGcovr) {
  auto c = ParseCoverage(ReadCorpus("coverage/c/cobertura.xml"), Root("c"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->format, CoverageFormat::kCobertura);
  ExpectCProgram(*c);
}

// coverage.py --branch on coverage/py: lib.py 1 2 4 6 9 run, 3 5 10 not.
void ExpectPyProgram(const Coverage& c) {
  const FileCoverage* lib = c.Find("lib.py");
  ASSERT_NE(lib, nullptr);
  EXPECT_THAT(lib->covered, ElementsAre(1, 2, 4, 6, 9));
  EXPECT_THAT(lib->uncovered, ElementsAre(3, 5, 10));
  EXPECT_EQ(lib->branches_total, 4);
  EXPECT_EQ(lib->branches_covered, 2);
  EXPECT_EQ(c.lines_total, 10);
  EXPECT_EQ(c.lines_covered, 7);
}

TEST(GateCoverageTest, CoberturaAndLcovFromCoveragePy) {
  auto xml = ParseCoverage(ReadCorpus("coverage/py/coverage.xml"), Root("py"));
  ASSERT_TRUE(xml.ok()) << xml.error().message;
  ExpectPyProgram(*xml);
  auto lcov = ParseCoverage(ReadCorpus("coverage/py/lcov.info"), Root("py"));
  ASSERT_TRUE(lcov.ok()) << lcov.error().message;
  ExpectPyProgram(*lcov);
}

TEST(GateCoverageTest, IstanbulSummaryFromC8HasTotalsOnly) {
  auto c = ParseCoverage(ReadCorpus("coverage/js/coverage-summary.json"), Root("js"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->format, CoverageFormat::kIstanbulSummary);
  EXPECT_FALSE(c->has_line_sets);
  EXPECT_EQ(c->lines_total, 15);
  EXPECT_EQ(c->lines_covered, 10);
  EXPECT_EQ(c->branches_total, 6);
  EXPECT_EQ(c->branches_covered, 3);
  const FileCoverage* lib = c->Find("lib.js");
  ASSERT_NE(lib, nullptr);
  EXPECT_EQ(lib->lines_total, 13);
  EXPECT_FALSE(NewCodeCoverage(*c, {{"lib.js", {2}}}).measurable);
}

TEST(GateCoverageTest, LcovFromC8) {
  auto c = ParseCoverage(ReadCorpus("coverage/js/lcov.info"), Root("js"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  const FileCoverage* lib = c->Find("lib.js");
  ASSERT_NE(lib, nullptr);
  EXPECT_TRUE(lib->uncovered.count(10)) << "unusedPath's body never ran";
  EXPECT_TRUE(lib->covered.count(2));
}

TEST(GateCoverageTest, NewCodeCoverageCountsOnlyExecutableChangedLines) {
  auto c = ParseCoverage(ReadCorpus("coverage/c/lcov.info"), Root("c"));
  ASSERT_TRUE(c.ok());
  // lib.c: 2 and 3 covered, 4 and 10 not, 5 and 7 are not executable;
  // README.md is not in the report.
  NewCodeResult r = NewCodeCoverage(*c, {{"lib.c", {2, 3, 4, 5, 7, 10}}, {"README.md", {1, 2}}});
  EXPECT_TRUE(r.measurable);
  EXPECT_EQ(r.executable, 4);
  EXPECT_EQ(r.covered, 2);
  EXPECT_DOUBLE_EQ(r.Percent(), 50.0);
  ASSERT_EQ(r.uncovered.size(), 1u);
  EXPECT_THAT(r.uncovered.at("lib.c"), ElementsAre(4, 10));
  // Nothing executable changed: nothing to cover.
  EXPECT_DOUBLE_EQ(NewCodeCoverage(*c, {{"lib.c", {5}}}).Percent(), 100.0);
}

TEST(GateCoverageTest, Errors) {
  EXPECT_THAT(ParseCoverage("").error().message, HasSubstr("empty report"));
  EXPECT_THAT(ParseCoverage("hello").error().message, HasSubstr("not lcov"));
  EXPECT_THAT(ParseCoverage("SF:a.c\nDA:1,1\n").error().message, HasSubstr("no end_of_record"));
  EXPECT_THAT(ParseCoverage("<coverage><packages>").error().message, HasSubstr("cobertura: xml:"));
  EXPECT_THAT(ParseCoverage("{\"a\":1}").error().message, HasSubstr("no \"total\""));
}

}  // namespace
}  // namespace gauntlet::gate
