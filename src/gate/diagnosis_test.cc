#include "gate/diagnosis.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

TEST(GateDiagnosisTest, LastLinesKeepsTheEndOfTheLog) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\nb\nc", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(LastLines("a\nb\n", 0), "");
  EXPECT_EQ(LastLines("", 3), "");
}

const char* kGccLog =
    "main.c: In function 'main':\n"
    "main.c:4:12: error: 'y' undeclared (first use in this function)\n"
    "    4 |     return y;\n"
    "      |            ^\n"
    "main.c:3:7: warning: unused variable 'x' [-Wunused-variable]\n"
    "make: *** [all] Error 1\n";

TEST(GateDiagnosisTest, ParsesTheLogAndMapsPathsToTheRepository) {
  RepoPaths paths("/repo", "/repo/app");
  JobDiagnosisInput in;
  in.log = kGccLog;
  in.parsers = {"gcc"};
  in.paths = &paths;
  in.tail_lines = 1;
  JobDiagnosis d = DiagnoseJob(in);
  ASSERT_EQ(d.diagnostics.size(), 2u);
  EXPECT_EQ(d.diagnostics[0].file, "app/main.c");
  EXPECT_EQ(d.diagnostics[0].line, 4);
  EXPECT_EQ(d.diagnostics[0].col, 12);
  ASSERT_TRUE(d.category.has_value());
  EXPECT_EQ(*d.category, Category::kBuild);
  EXPECT_NE(d.suggestion.find("fix the compile error in app/main.c:4:12"), std::string::npos)
      << d.suggestion;
  EXPECT_EQ(d.log_tail, "make: *** [all] Error 1\n");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(GateDiagnosisTest, AddsFailedTestsTheLogDidNotShow) {
  TestReport junit;
  Diagnostic shown;
  shown.category = Category::kTest;
  shown.file = "tests/test_a.py";
  shown.line = 12;
  shown.rule = "tests.test_a::test_x";
  Diagnostic extra = shown;
  extra.line = 30;
  extra.rule = "tests.test_a::test_y";
  junit.diagnostics = {shown, extra};
  JobDiagnosisInput in;
  in.log =
      "=================================== FAILURES ===================================\n"
      "___________________________________ test_x ___________________________________\n"
      "\n"
      "    def test_x():\n"
      ">       assert 4 == 5\n"
      "E       assert 4 == 5\n"
      "\n"
      "tests/test_a.py:12: AssertionError\n";
  in.parsers = {"pytest"};
  in.junit = &junit;
  JobDiagnosis d = DiagnoseJob(in);
  ASSERT_EQ(d.diagnostics.size(), 2u);
  EXPECT_EQ(d.diagnostics[0].tool, "pytest");
  EXPECT_EQ(d.diagnostics[1].rule, "tests.test_a::test_y");
  EXPECT_EQ(*d.category, Category::kTest);
}

TEST(GateDiagnosisTest, NoDiagnosticsMeansNoCategoryAndAnUnknownParserIsAWarning) {
  JobDiagnosisInput in;
  in.log = "something went wrong\n";
  in.parsers = {"no-such-parser"};
  JobDiagnosis d = DiagnoseJob(in);
  EXPECT_TRUE(d.diagnostics.empty());
  EXPECT_FALSE(d.category.has_value());
  EXPECT_EQ(d.suggestion, "");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("no-such-parser"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::gate
