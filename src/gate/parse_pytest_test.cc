#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GatePytestTest, LongTracebacks) {
  auto r = ParseDiagnostics("pytest", ReadCorpus("python/pytest.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("test_shapes.py:12:0 error test test_shapes.py::test_area_wrong: "
                          "assert 4 == 5",
                          "test_shapes.py:16:0 error test test_shapes.py::test_raises: "
                          "ValueError: boom"));
  EXPECT_NE((*r)[0].excerpt.find(">       assert result == 5"), std::string::npos);
}

TEST(GatePytestTest, ShortTracebacks) {
  auto r = ParseDiagnostics("pytest", ReadCorpus("python/pytest-short.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("test_shapes.py:12:0 error test test_shapes.py::test_area_wrong: "
                          "assert 4 == 5",
                          "test_shapes.py:16:0 error test test_shapes.py::test_raises: "
                          "ValueError: boom"));
}

TEST(GatePytestTest, SummaryOnlyWhenTracebacksAreOff) {
  auto r = ParseDiagnostics("pytest",
                            "FAILED tests/test_a.py::TestA::test_x - assert 1 == 2\n"
                            "ERROR tests/test_b.py - ImportError: no module\n"
                            "2 failed in 0.1s\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("tests/test_a.py:0:0 error test tests/test_a.py::TestA::test_x: "
                          "assert 1 == 2",
                          "tests/test_b.py:0:0 error test tests/test_b.py: ImportError: no "
                          "module"));
}

}  // namespace
}  // namespace gauntlet::gate
