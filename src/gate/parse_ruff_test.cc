#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using testing::ReadCorpus;
using testing::Summaries;

// ruff's own test snapshots (see tests/gate_corpus/ruff/README.md).
const std::vector<std::string> kRuffExpected = {
    "fib.py:1:8 error lint F401: `os` imported but unused",
    "fib.py:6:5 error lint F841: Local variable `x` is assigned to but never used",
    "undef.py:1:4 error lint F821: Undefined name `a`",
};

TEST(GateRuffTest, TextForm) {
  auto r = ParseDiagnostics("ruff", ReadCorpus("ruff/text.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), kRuffExpected);
  EXPECT_EQ((*r)[0].notes, (std::vector<Note>{{"", 0, 0, "help: Remove unused import: `os`"}}));
}

TEST(GateRuffTest, JsonForm) {
  auto r = ParseDiagnostics("ruff", ReadCorpus("ruff/json.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), kRuffExpected);
  EXPECT_EQ((*r)[0].end_col, 10);
}

TEST(GateRuffTest, ConciseWithFixMarker) {
  auto r = ParseDiagnostics("ruff",
                            "/repo/pkg/a.py:3:8: F401 [*] `os` imported but unused\n"
                            "Found 1 error.\n"
                            "[*] 1 fixable with the `--fix` option.\n",
                            {"/repo"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r),
            std::vector<std::string>{"pkg/a.py:3:8 error lint F401: `os` imported but unused"});
}

}  // namespace
}  // namespace gauntlet::gate
