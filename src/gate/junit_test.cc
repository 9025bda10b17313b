#include "gate/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateJUnitTest, Pytest) {
  auto r = ParseJUnit(ReadCorpus("python/pytest-junit.xml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tests, 4);
  EXPECT_EQ(r->failures, 2);
  EXPECT_EQ(r->errors, 0);
  EXPECT_EQ(r->skipped, 1);
  EXPECT_EQ(r->passed(), 1);
  EXPECT_THAT(Summaries(r->diagnostics),
              ElementsAre("test_shapes.py:12:0 error test test_shapes::test_area_wrong: assert 4 "
                          "== 5",
                          "test_shapes.py:16:0 error test test_shapes::test_raises: ValueError: "
                          "boom"));
  EXPECT_EQ(r->diagnostics[0].tool, "junit");
}

TEST(GateJUnitTest, JestJunit) {
  auto r = ParseJUnit(ReadCorpus("junit/jest-junit.xml"),
                      {std::string(testing::kCaptureRoot) + "/junit/jest"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tests, 3);
  EXPECT_EQ(r->failures, 1);
  EXPECT_EQ(r->skipped, 1);
  ASSERT_EQ(r->diagnostics.size(), 1u);
  const Diagnostic& d = r->diagnostics[0];
  EXPECT_EQ(d.file, "sum.test.js");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.col, 21);
  EXPECT_EQ(d.rule, "adds 1 + 2 to equal 3");
  EXPECT_EQ(d.message, "Error: expect(received).toBe(expected) // Object.is equality");
}

TEST(GateJUnitTest, GoJunitReport) {
  auto r = ParseJUnit(ReadCorpus("junit/go-junit-report.xml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tests, 2);
  EXPECT_EQ(r->failures, 1);
  EXPECT_THAT(Summaries(r->diagnostics),
              ElementsAre("main_test.go:6:0 error test package/name/fail::TestOne: Failed"));
}

TEST(GateJUnitTest, SurefirePicksTheTestClassFrame) {
  auto r = ParseJUnit(ReadCorpus("junit/surefire.xml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tests, 2);
  EXPECT_EQ(r->failures, 2);
  ASSERT_EQ(r->diagnostics.size(), 2u);
  EXPECT_EQ(r->diagnostics[0].file, "FailingTest.java");
  EXPECT_EQ(r->diagnostics[0].line, 23);
  // XML turns newlines inside attribute values into spaces.
  EXPECT_EQ(r->diagnostics[0].message, "Expected: \"wrong\"      got: \"value\"");
  EXPECT_EQ(r->diagnostics[0].notes[0].message, "type: java.lang.AssertionError");
  EXPECT_EQ(r->diagnostics[1].line, 34);
}

TEST(GateJUnitTest, FileAttributesWinAndErrorsCount) {
  auto r = ParseJUnit(R"(<testsuite name="s">
      <testcase classname="c" name="t1" file="tests/a.py" line="7"><error message="boom">
        other.py:3: RuntimeError</error></testcase>
      <testcase classname="c" name="t2"/>
    </testsuite>)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tests, 2);
  EXPECT_EQ(r->errors, 1);
  EXPECT_THAT(Summaries(r->diagnostics), ElementsAre("tests/a.py:7:0 error test c::t1: boom"));
}

TEST(GateJUnitTest, SuiteAttributesWhenThereAreNoCases) {
  auto r = ParseJUnit(R"(<testsuites><testsuite name="a" tests="5" failures="1" errors="1"
      skipped="2"/></testsuites>)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tests, 5);
  EXPECT_EQ(r->failures, 1);
  EXPECT_EQ(r->errors, 1);
  EXPECT_EQ(r->skipped, 2);
}

TEST(GateJUnitTest, Errors) {
  EXPECT_THAT(ParseJUnit("<testsuite>").error().message, HasSubstr("junit: xml:"));
  EXPECT_THAT(ParseJUnit("<coverage/>").error().message, HasSubstr("root element is <coverage>"));
}

TEST(GateJUnitTest, MergeAddsUp) {
  auto a = ParseJUnit(ReadCorpus("python/pytest-junit.xml"));
  auto b = ParseJUnit(ReadCorpus("junit/go-junit-report.xml"));
  ASSERT_TRUE(a.ok() && b.ok());
  Merge(*a, std::move(*b));
  EXPECT_EQ(a->tests, 6);
  EXPECT_EQ(a->failures, 3);
  EXPECT_EQ(a->diagnostics.size(), 3u);
}

}  // namespace
}  // namespace gauntlet::gate
