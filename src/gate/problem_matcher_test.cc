#include "gate/problem_matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateProblemMatcherTest, GithubEslintLoopExampleOnRealStylishOutput) {
  auto m = LoadProblemMatchers(ReadCorpus("matchers/eslint-stylish.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = RunProblemMatchers(*m, ReadCorpus("eslint/stylish.out"),
                              {std::string(testing::kCaptureRoot) + "/eslint"});
  EXPECT_THAT(
      Summaries(d),
      ElementsAre("app.js:1:7 error other no-unused-vars: 'fs' is assigned a value but never used",
                  "app.js:4:7 error other no-unused-vars: 'unused' is assigned a value but never "
                  "used",
                  "app.js:5:7 error other no-undef: 'x' is not defined",
                  "app.js:5:9 warning other eqeqeq: Expected '===' and instead saw '=='",
                  "app.js:6:23 error other semi: Missing semicolon"));
  EXPECT_EQ(d[0].tool, "eslint-stylish");
  EXPECT_EQ(d[0].excerpt,
            "/tmp/gauntlet-corpus/eslint/app.js\n"
            "  1:7   error    'fs' is assigned a value but never used      no-unused-vars");
  EXPECT_EQ(d[1].excerpt,
            "  4:7   error    'unused' is assigned a value but never used  no-unused-vars");
}

TEST(GateProblemMatcherTest, SetupGoMatcherOnRealBuildOutput) {
  auto m = LoadProblemMatchers(ReadCorpus("matchers/go.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = RunProblemMatchers(*m, ReadCorpus("go/nobuild/build.out"));
  EXPECT_THAT(Summaries(d),
              ElementsAre("main.go:3:8 error other : imported and not used: \"os\"",
                          "main.go:6:14 error other : cannot use \"one\" (untyped string "
                          "constant) as int value in variable declaration",
                          "main.go:7:2 error other : undefined: undefinedCall"));
}

TEST(GateProblemMatcherTest, CategoryFromOwnerPrefixAndDefaultSeverity) {
  auto m = LoadProblemMatchers(R"({"problemMatcher":[{"owner":"lint-shellcheck",
      "severity":"warning",
      "pattern":[{"regexp":"^(\\S+):(\\d+):(\\d+): (?:(note|warning|error): )?(.*) \\[(SC\\d+)\\]$",
                  "file":1,"line":2,"column":3,"severity":4,"message":5,"code":6}]}]})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = RunProblemMatchers(*m,
                              "run.sh:3:5: note: Double quote to prevent globbing [SC2086]\n"
                              "run.sh:9:1: Use 'cd ... || exit' [SC2164]\n");
  EXPECT_THAT(Summaries(d),
              ElementsAre("run.sh:3:5 note lint SC2086: Double quote to prevent globbing",
                          "run.sh:9:1 warning lint SC2164: Use 'cd ... || exit'"));
}

TEST(GateProblemMatcherTest, MultiLineWithoutLoopNeedsConsecutiveLines) {
  auto m = LoadProblemMatchers(R"({"problemMatcher":[{"owner":"test-bats","pattern":[
      {"regexp":"^not ok \\d+ (.*)$","message":1},
      {"regexp":"^# \\(in test file (\\S+), line (\\d+)\\)$","file":1,"line":2}]}]})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = RunProblemMatchers(*m,
                              "ok 1 adds\n"
                              "not ok 2 subtracts\n"
                              "# (in test file test/calc.bats, line 12)\n"
                              "not ok 3 lonely\n"
                              "something else\n"
                              "# (in test file test/calc.bats, line 20)\n");
  EXPECT_THAT(Summaries(d), ElementsAre("test/calc.bats:12:0 error test : subtracts"));
}

TEST(GateProblemMatcherTest, Re2RejectsLookaroundWithAClearError) {
  auto m = LoadProblemMatchers(
      R"({"problemMatcher":[{"owner":"x","pattern":[{"regexp":"^(?!ok)(.*)$","message":1}]}]})",
      "matchers/x.json");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.error().message, HasSubstr("matchers/x.json: problemMatcher[0] (x) pattern[0]"));
  EXPECT_THAT(m.error().message, HasSubstr("not accepted by RE2"));
  EXPECT_THAT(m.error().message, HasSubstr("no lookaround and no backreferences"));
}

TEST(GateProblemMatcherTest, InvalidFilesAreErrors) {
  const std::string bad_group =
      R"j({"problemMatcher":[{"owner":"x","pattern":[{"regexp":"(a)","file":2,"message":1}]}]})j";
  const std::string loop_not_last =
      R"j({"problemMatcher":[{"owner":"x","pattern":[{"regexp":"(a)","message":1,"loop":true},)j"
      R"j({"regexp":"(b)","message":1}]}]})j";
  const std::string no_message =
      R"j({"problemMatcher":[{"owner":"x","pattern":[{"regexp":"(a)","file":1}]}]})j";
  EXPECT_THAT(LoadProblemMatchers("{").error().message, HasSubstr("not valid JSON"));
  EXPECT_THAT(LoadProblemMatchers(R"({"problemMatcher":{}})").error().message,
              HasSubstr("expected {\"problemMatcher\": [...]}"));
  EXPECT_THAT(LoadProblemMatchers(bad_group).error().message,
              HasSubstr("\"file\" must be a capture group number from 1 to 1"));
  EXPECT_THAT(LoadProblemMatchers(loop_not_last).error().message,
              HasSubstr("only the last pattern may \"loop\""));
  EXPECT_THAT(LoadProblemMatchers(no_message).error().message,
              HasSubstr("no pattern captures a \"message\""));
}

}  // namespace
}  // namespace gauntlet::gate
