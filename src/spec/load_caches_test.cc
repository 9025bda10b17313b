#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

std::string CachesError(const std::string& caches) {
  LoadResult r = LoadString("caches: " + caches + "\njobs:\n  a: {run: 'true'}\n", "gauntlet.yml");
  for (const Problem& p : r.problems.all())
    if (p.severity == Severity::kError)
      return std::to_string(p.loc.line) + ":" + std::to_string(p.loc.col) + ": " + p.message;
  return "";
}

TEST(LoadCaches, PathsInsideTheWorkspaceAreKept) {
  LoadResult r = LoadString("caches: [.venv, node_modules/, .cache/pip]\njobs:\n  a: {run: 'true'}\n",
                            "gauntlet.yml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.pipeline.caches, (std::vector<std::string>{".venv", "node_modules/", ".cache/pip"}));
  EXPECT_EQ(LoadString("caches: .venv\njobs:\n  a: {run: 'true'}\n", "gauntlet.yml").pipeline.caches,
            std::vector<std::string>{".venv"});
}

// It fails when a check is taken out: each of these would reach .git/info/exclude.
TEST(LoadCaches, PathsThatLeaveTheWorkspaceOrMeanSomethingElseAreErrors) {
  EXPECT_EQ(CachesError("[/abs]"), "1:10: a cache path is relative to the repository's root");
  EXPECT_EQ(CachesError("[ok, a/../../x]"),
            "1:14: a cache path cannot leave the workspace ('..')");
  EXPECT_EQ(CachesError("[.git/hooks]"), "1:10: a cache path cannot name .git");
  EXPECT_EQ(CachesError("['!keep']"), "1:10: a cache path cannot start with '!' or '#'");
  EXPECT_EQ(CachesError("[\"a\\nb\"]"), "1:10: a cache path cannot hold a backslash or a line break");
  EXPECT_EQ(CachesError("{a: b}"), "1:9: expected a string or a list of strings, got a map");
}

}  // namespace
}  // namespace gauntlet::spec
