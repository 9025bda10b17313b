// `caches:` and the server's kept workspace: what the pipeline file at the run's commit
// declares survives the clean of untracked files between runs, and nothing else does.
// The real `gauntlet serve`, a real bare repository and real pushes.
#include <gtest/gtest.h>

#include "server_e2e.h"

namespace gauntlet::server_testing {
namespace {

// A pipeline whose job says whether the cache and a stray untracked file survived from
// the run before, then makes both.
std::string CachePipeline(const std::string& dir, const std::string& caches) {
  return "name: app\non: push\n" + caches +
         "jobs:\n  build:\n    run: |\n"
         "      (test -f .cache/hit && echo cache-hit || echo cache-miss) >> " + dir + "/seen\n"
         "      (test -f stray.txt && echo stray-kept || echo stray-gone) >> " + dir + "/seen\n"
         "      mkdir -p .cache && touch .cache/hit stray.txt\n";
}

TEST_F(ServerE2E, DeclaredCachesSurviveTheCleanOfTheKeptWorkspace) {
  Commit("version.txt", "1\n", CachePipeline(dir_, "caches: [.cache]\n"));
  const std::string first = Push("main");
  StartServer();
  ASSERT_EQ(Hook("push", "c-1", PushBody("refs/heads/main", std::string(40, '0'), first))->status, 202);
  ASSERT_NE(ReadUntil("queue 1: push refs/heads/main@" + first.substr(0, 12) + ": done (success)"), "")
      << seen_lines_;
  Commit("version.txt", "2\n", CachePipeline(dir_, "caches: [.cache]\n"));
  const std::string second = Push("main");
  ASSERT_EQ(Hook("push", "c-2", PushBody("refs/heads/main", first, second))->status, 202);
  ASSERT_NE(ReadUntil("queue 2: push refs/heads/main@" + second.substr(0, 12) + ": done (success)"), "")
      << seen_lines_;
  // A commit that no longer declares it: the clean takes the cache too.
  Commit("version.txt", "3\n", CachePipeline(dir_, ""));
  const std::string third = Push("main");
  ASSERT_EQ(Hook("push", "c-3", PushBody("refs/heads/main", second, third))->status, 202);
  ASSERT_NE(ReadUntil("queue 3: push refs/heads/main@" + third.substr(0, 12) + ": done (success)"), "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"),
            "cache-miss\nstray-gone\ncache-hit\nstray-gone\ncache-miss\nstray-gone\n");
}

}  // namespace
}  // namespace gauntlet::server_testing
