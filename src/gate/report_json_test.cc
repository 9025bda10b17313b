#include "gate/report_json.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

TEST(ReportJsonTest, TestReportRoundTrips) {
  auto parsed = ParseJUnit(R"(<testsuite>
  <testcase classname="t" name="ok"/>
  <testcase classname="t" name="bad" file="tests/t.py" line="7"><failure message="assert 1 == 2"/></testcase>
  <testcase classname="t" name="later"><skipped/></testcase>
</testsuite>)");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto back = TestReportFromJson(ToJson(*parsed).dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->tests, 3);
  EXPECT_EQ(back->failures, 1);
  EXPECT_EQ(back->skipped, 1);
  EXPECT_EQ(back->passed(), 1);
  ASSERT_EQ(back->diagnostics.size(), 1u);
  EXPECT_EQ(back->diagnostics[0], parsed->diagnostics[0]);
}

TEST(ReportJsonTest, CoverageRoundTripsWithLineSets) {
  auto parsed = ParseLcov("SF:src/a.c\nDA:1,1\nDA:2,0\nDA:3,4\nBRDA:3,0,0,1\nBRDA:3,0,1,0\n"
                          "LF:3\nLH:2\nBRF:2\nBRH:1\nend_of_record\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto back = CoverageFromJson(ToJson(*parsed).dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->has_line_sets);
  EXPECT_EQ(back->lines_total, parsed->lines_total);
  EXPECT_EQ(back->lines_covered, parsed->lines_covered);
  EXPECT_EQ(back->branches_covered, parsed->branches_covered);
  ASSERT_EQ(back->files.size(), 1u);
  EXPECT_EQ(back->files[0].covered, (std::set<int>{1, 3}));
  EXPECT_EQ(back->files[0].uncovered, (std::set<int>{2}));
  auto fresh = NewCodeCoverage(*back, {{"src/a.c", {2, 3}}});
  EXPECT_EQ(fresh.executable, 2);
  EXPECT_EQ(fresh.covered, 1);
}

TEST(ReportJsonTest, BadShapesAreNamed) {
  auto a = CoverageFromJson(R"({"format":"gcov","lines_total":1,"lines_covered":1})");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("unknown format 'gcov'"), std::string::npos);
  EXPECT_FALSE(CoverageFromJson("[1]").ok());
  EXPECT_FALSE(CoverageFromJson(R"({"lines_total":"x","lines_covered":1})").ok());
  EXPECT_FALSE(TestReportFromJson("{}").ok());
  EXPECT_FALSE(TestReportFromJson(R"({"tests":1,"diagnostics":[{"category":"nope"}]})").ok());
}

}  // namespace
}  // namespace gauntlet::gate
