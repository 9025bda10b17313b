#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateBlackTest, EachFileToReformatIsALintDiagnostic) {
  auto r = ParseDiagnostics("black", ReadCorpus("python/fmt/black.out"),
                            {.repo_root = testing::kCaptureRoot});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("python/fmt/app.py:0:0 error lint black: would reformat: run black on it"));
  EXPECT_EQ((*r)[0].tool, "black");
  // With --diff the first hunk gives the line.
  r = ParseDiagnostics("black",
                       "--- src/app.py\t2026-12-06 18:44:21 +0000\n"
                       "+++ src/app.py\t2026-12-06 18:44:31 +0000\n"
                       "@@ -4,3 +4,5 @@\n"
                       " import os\n"
                       "would reformat src/app.py\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("src/app.py:4:0 error lint black: would reformat: run black on it"));
}

TEST(GateBlackTest, Flake8ReadsAsRuffsConciseForm) {
  auto r = ParseDiagnostics("flake8", ReadCorpus("python/fmt/flake8.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("app.py:1:1 error lint F401: 'os' imported but unused",
                          "app.py:2:1 error lint E302: expected 2 blank lines, found 0",
                          "app.py:2:10 error lint E201: whitespace after '('",
                          "app.py:2:15 error lint E202: whitespace before ')'"));
  EXPECT_EQ((*r)[0].tool, "flake8");
}

}  // namespace
}  // namespace gauntlet::gate
