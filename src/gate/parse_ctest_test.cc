#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateCtestTest, FailedTestsLocatedByTheirOutput) {
  // --output-on-failure: googletest's "file:line: Failure" and assert()'s message.
  auto r = ParseDiagnostics("ctest", ReadCorpus("ctest/ctest.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("/tmp/gauntlet-corpus/ctest/calc_gtest.cc:6:0 error test Calc.Twice: "
                          "Expected equality of these values:\n  Twice(2)\n    Which is: 6\n  4",
                          "/tmp/gauntlet-corpus/ctest/calc_test.c:8:0 error test halves: "
                          "Assertion `half(8) == 4' failed."));
  EXPECT_EQ((*r)[0].tool, "ctest");
  // The repository root makes them relative.
  r = ParseDiagnostics("ctest", ReadCorpus("ctest/ctest.out"),
                       {.repo_root = "/tmp/gauntlet-corpus"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[1].file, "ctest/calc_test.c");
}

TEST(GateCtestTest, WithoutTheirOutputTheFailedTestsAreStillNamed) {
  auto r = ParseDiagnostics("ctest", ReadCorpus("ctest/ctest-plain.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre(":0:0 error test Calc.Twice: Failed",
                                         ":0:0 error test halves: Subprocess aborted"));
  // Only the closing list (ctest -Q, or a log that lost the progress lines).
  r = ParseDiagnostics("ctest",
                       "The following tests FAILED:\n\t  7 - net.timeout (Timeout)\n"
                       "Errors while running CTest\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre(":0:0 error test net.timeout: Timeout"));
}

}  // namespace
}  // namespace gauntlet::gate
