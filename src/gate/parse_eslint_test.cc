#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using testing::ReadCorpus;
using testing::Summaries;

const std::vector<std::string> kEslintExpected = {
    "app.js:1:7 error lint no-unused-vars: 'fs' is assigned a value but never used",
    "app.js:4:7 error lint no-unused-vars: 'unused' is assigned a value but never used",
    "app.js:5:7 error lint no-undef: 'x' is not defined",
    "app.js:5:9 warning lint eqeqeq: Expected '===' and instead saw '=='",
    "app.js:6:23 error lint semi: Missing semicolon",
};

// The formatters differ in the final full stop; the findings are the same.
std::vector<std::string> WithFullStops() {
  std::vector<std::string> out;
  for (const auto& s : kEslintExpected) out.push_back(s + ".");
  return out;
}

ParseOptions Root() { return {std::string(testing::kCaptureRoot) + "/eslint"}; }

TEST(GateEslintTest, Stylish) {
  auto r = ParseDiagnostics("eslint", ReadCorpus("eslint/stylish.out"), Root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), kEslintExpected);
}

TEST(GateEslintTest, Unix) {
  auto r = ParseDiagnostics("eslint", ReadCorpus("eslint/unix.out"), Root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), WithFullStops());
}

TEST(GateEslintTest, Json) {
  auto r = ParseDiagnostics("eslint", ReadCorpus("eslint/json.out"), Root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), WithFullStops());
  EXPECT_EQ((*r)[4].end_line, 7);
  EXPECT_EQ((*r)[4].end_col, 1);
}

TEST(GateEslintTest, WithoutRootPathsStayAbsolute) {
  auto r = ParseDiagnostics("eslint", ReadCorpus("eslint/unix.out"));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].file, std::string(testing::kCaptureRoot) + "/eslint/app.js");
}

}  // namespace
}  // namespace gauntlet::gate
