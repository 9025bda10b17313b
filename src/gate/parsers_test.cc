#include "gate/parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gauntlet::gate {
namespace {

using ::testing::HasSubstr;

TEST(GateParsersTest, UnknownNameListsValidOnes) {
  auto r = ParseDiagnostics("gcc-13", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("unknown diagnostics parser 'gcc-13'"));
  EXPECT_THAT(r.error().message,
              HasSubstr("black, cargo, clang, clippy, ctest, eslint, flake8, gcc, github, go, "
                        "go-vet, jest, mypy, pytest, ruff, rustc, sarif, tsc, vitest"));
}

TEST(GateParsersTest, NamesAreSorted) {
  auto names = ParserNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.size(), 19u);
}

TEST(GateParsersTest, EmptyAndUnrelatedLogsGiveNothing) {
  for (const auto& name : ParserNames()) {
    auto r = ParseDiagnostics(name, "");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_TRUE(r->empty()) << name;
    r = ParseDiagnostics(name, "Compiling...\nall good\nDone in 3.2s\n");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_TRUE(r->empty()) << name;
  }
}

TEST(GateParsersTest, ProblemMatcherPaths) {
  EXPECT_TRUE(IsProblemMatcherPath(".github/shellcheck.json"));
  EXPECT_FALSE(IsProblemMatcherPath("eslint"));
}

TEST(GateDiagnosticTest, JsonRoundTrip) {
  Diagnostic d;
  d.category = Category::kType;
  d.severity = Severity::kWarning;
  d.file = "a.ts";
  d.line = 3;
  d.col = 4;
  d.end_line = 3;
  d.end_col = 9;
  d.message = "m";
  d.rule = "TS2322";
  d.tool = "tsc";
  d.notes = {{"b.ts", 1, 2, "declared here"}};
  d.excerpt = "raw";
  nlohmann::json j = ToJson(d);
  EXPECT_EQ(j["category"], "type");
  EXPECT_EQ(j["severity"], "warning");
  auto back = DiagnosticFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
  j["category"] = "style";
  EXPECT_FALSE(DiagnosticFromJson(j).ok());
}

}  // namespace
}  // namespace gauntlet::gate
