#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateGoTest, BuildErrors) {
  auto r = ParseDiagnostics("go", ReadCorpus("go/nobuild/build.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("main.go:3:8 error build : imported and not used: \"os\"",
                          "main.go:6:14 error build : cannot use \"one\" (untyped string "
                          "constant) as int value in variable declaration",
                          "main.go:7:2 error build : undefined: undefinedCall"));
  EXPECT_EQ((*r)[0].notes, (std::vector<Note>{{"", 0, 0, "package example.com/nobuild"}}));
}

TEST(GateGoTest, VetIsLint) {
  auto r = ParseDiagnostics("go-vet", ReadCorpus("go/vet/vet.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("describe.go:7:9 error lint : fmt.Sprintf format %s has "
                                         "arg n of wrong type int"));
}

TEST(GateGoTest, FailingTestPlainAndVerbose) {
  for (const char* file : {"go/broken/test.out", "go/broken/test-v.out"}) {
    auto r = ParseDiagnostics("go", ReadCorpus(file));
    ASSERT_TRUE(r.ok());
    EXPECT_THAT(Summaries(*r), ElementsAre("calc_test.go:7:0 error test TestSum: Sum = 6, want 7"))
        << file;
  }
}

TEST(GateGoTest, SubtestsReportTheChildNotTheParent) {
  auto r = ParseDiagnostics("go",
                            "--- FAIL: TestAll (0.00s)\n"
                            "    --- FAIL: TestAll/empty (0.00s)\n"
                            "        all_test.go:12: got 1\n"
                            "FAIL\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("all_test.go:12:0 error test TestAll/empty: got 1"));
}

}  // namespace
}  // namespace gauntlet::gate
