// The pipeline loader repeats the parser names (spec sits below gate): every
// name gate knows must load, and problem-matcher files must stay in the workspace.
#include <gtest/gtest.h>

#include "gate/parsers.h"
#include "spec/load.h"

namespace gauntlet::gate {
namespace {

spec::LoadResult LoadWithDiagnostics(const std::string& entry) {
  return spec::LoadString(
      "name: p\njobs:\n  build:\n    run: make\n    diagnostics: [\"" + entry + "\"]\n",
      "gauntlet.yml");
}

TEST(GateParserNamesTest, EveryParserNameLoads) {
  for (const std::string& name : ParserNames()) {
    spec::LoadResult r = LoadWithDiagnostics(name);
    EXPECT_FALSE(r.problems.has_errors()) << name;
    ASSERT_EQ(r.pipeline.jobs.size(), 1u);
    EXPECT_EQ(r.pipeline.jobs[0].diagnostics, std::vector<std::string>{name});
  }
  EXPECT_TRUE(LoadWithDiagnostics("gcc-ish").problems.has_errors());
}

TEST(GateParserNamesTest, ProblemMatcherFilesLoadWhenInsideTheWorkspace) {
  EXPECT_FALSE(LoadWithDiagnostics(".github/shellcheck.json").problems.has_errors());
  EXPECT_TRUE(LoadWithDiagnostics("../elsewhere.json").problems.has_errors());
  EXPECT_TRUE(LoadWithDiagnostics("/etc/matcher.json").problems.has_errors());
}

}  // namespace
}  // namespace gauntlet::gate
