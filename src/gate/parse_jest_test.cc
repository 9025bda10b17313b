#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateJestTest, JestFailuresAreTestsAtTheirFrameInTheTestFile) {
  auto r = ParseDiagnostics("jest", ReadCorpus("jest/jest.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("test/calc.test.js:9:21 error test calc › halves: "
                          "expect(received).toBe(expected) // Object.is equality\n"
                          "Expected: 4\nReceived: 2.6666666666666665",
                          "test/calc.test.js:15:12 error test throws plainly: TypeError: Cannot "
                          "read properties of undefined (reading 'value')"));
  EXPECT_EQ((*r)[0].tool, "jest");
  EXPECT_NE((*r)[0].excerpt.find(">  9 |     expect(half(8)).toBe(4);"), std::string::npos);
}

TEST(GateJestTest, VitestFailuresAreTestsAtTheirFrame) {
  auto r = ParseDiagnostics("vitest", ReadCorpus("vitest/vitest.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("test/calc.test.js:10:21 error test calc > halves: AssertionError: "
                          "expected 2.6666666666666665 to be 4 // Object.is equality\n"
                          "- Expected\n+ Received\n- 4\n+ 2.6666666666666665",
                          "test/calc.test.js:16:12 error test throws plainly: TypeError: Cannot "
                          "read properties of undefined (reading 'value')"));
  EXPECT_EQ((*r)[1].tool, "vitest");
}

TEST(GateJestTest, AFrameInTheTestFileWinsOverTheCodeUnderTestAndNodeModules) {
  const char* log =
      "FAIL src/sum.test.ts\n"
      "  ● sum › adds\n"
      "\n"
      "    Error: boom\n"
      "\n"
      "      at helper (node_modules/lib/index.js:3:9)\n"
      "      at sum (src/sum.ts:4:11)\n"
      "      at Object.<anonymous> (src/sum.test.ts:7:12)\n"
      "\n"
      "Test Suites: 1 failed, 1 total\n";
  auto r = ParseDiagnostics("jest", log);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("src/sum.test.ts:7:12 error test sum › adds: Error: boom"));
  // No frame at all: the test file, without a line.
  r = ParseDiagnostics("jest", "FAIL a.test.js\n  ● suite › t\n\n    Error: x\n\nTests: 1 failed\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("a.test.js:0:0 error test suite › t: Error: x"));
}

}  // namespace
}  // namespace gauntlet::gate
