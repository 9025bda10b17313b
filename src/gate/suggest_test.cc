#include "gate/suggest.h"

#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using testing::ReadCorpus;

std::string Suggest(const std::string& parser, const std::string& file) {
  auto r = ParseDiagnostics(parser, ReadCorpus(file));
  EXPECT_TRUE(r.ok());
  return r.ok() ? SuggestFix(*r) : "";
}

TEST(GateSuggestTest, OneLinePerCategory) {
  EXPECT_EQ(Suggest("gcc", "gcc/gcc.out"),
            "fix the compile error in main.c:10:32 (‘depth’ undeclared (first use in this "
            "function))");
  EXPECT_EQ(Suggest("tsc", "tsc/tsc.out"),
            "fix the type error in app.ts:6:32 (Type 'string' is not assignable to type "
            "'number'., TS2322) and 2 more errors");
  EXPECT_EQ(Suggest("pytest", "python/pytest.out"),
            "fix the failing test test_shapes.py::test_area_wrong at test_shapes.py:12 (assert 4 "
            "== 5) and 1 more error");
  EXPECT_EQ(Suggest("eslint", "eslint/unix.out"),
            "fix the lint finding in /tmp/gauntlet-corpus/eslint/app.js:1:7 ('fs' is assigned a "
            "value but never used., no-unused-vars) and 3 more errors");
  EXPECT_EQ(Suggest("clippy", "cargo/lint/clippy.out"),
            "fix the warning in src/main.rs:3:8 (length comparison to zero, clippy::len_zero)");
}

Diagnostic Make(Category c, Severity s, std::string file, int line, std::string message) {
  Diagnostic d;
  d.category = c;
  d.severity = s;
  d.file = std::move(file);
  d.line = line;
  d.message = std::move(message);
  return d;
}

TEST(GateSuggestTest, BuildErrorsComeFirst) {
  Diagnostic lint = Make(Category::kLint, Severity::kError, "a.js", 1, "unused");
  Diagnostic build = Make(Category::kBuild, Severity::kError, "b.c", 2, "oops");
  EXPECT_EQ(SuggestFix({lint, build}), "fix the compile error in b.c:2 (oops) and 1 more error");
}

TEST(GateSuggestTest, NothingToSuggest) {
  EXPECT_EQ(SuggestFix({}), "");
  Diagnostic note = Make(Category::kOther, Severity::kNote, "", 0, "fyi");
  EXPECT_EQ(SuggestFix({note}), "");
}

}  // namespace
}  // namespace gauntlet::gate
