#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

const char* kJobs = "jobs:\n  a: {run: 'true'}\n";

std::string FirstError(const LoadResult& r) {
  for (const Problem& p : r.problems.all())
    if (p.severity == Severity::kError)
      return p.loc.file + ":" + std::to_string(p.loc.line) + ":" + std::to_string(p.loc.col) +
             ": " + p.message;
  return "";
}

TEST(LoadConcurrency, BothSpellingsAndNone) {
  LoadResult plain = LoadString(std::string("name: a\n") + kJobs, "gauntlet.yml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.pipeline.concurrency.group, "");

  LoadResult named = LoadString(std::string("concurrency: deploy\n") + kJobs, "gauntlet.yml");
  ASSERT_TRUE(named.ok()) << FirstError(named);
  EXPECT_EQ(named.pipeline.concurrency.group, "deploy");
  EXPECT_FALSE(named.pipeline.concurrency.cancel_in_progress);

  LoadResult map = LoadString(
      std::string("concurrency: {group: 'ci-${{ branch }}', cancel-in-progress: true}\n") + kJobs,
      "gauntlet.yml");
  ASSERT_TRUE(map.ok()) << FirstError(map);
  EXPECT_EQ(map.pipeline.concurrency.group, "ci-${{ branch }}");
  EXPECT_TRUE(map.pipeline.concurrency.cancel_in_progress);
}

// It fails when: without the group check a map without group loads; without
// CheckTemplate the unterminated expression loads.
TEST(LoadConcurrency, MistakesAreNamedWhereTheyAre) {
  EXPECT_EQ(FirstError(LoadString(std::string("concurrency: {cancel-in-progress: true}\n") + kJobs,
                                  "gauntlet.yml")),
            "gauntlet.yml:1:14: concurrency has no group");
  EXPECT_EQ(FirstError(LoadString(std::string("concurrency: {group: 'a-${{ branch'}\n") + kJobs,
                                  "gauntlet.yml"))
                .rfind("gauntlet.yml:1:", 0),
            0u);
  EXPECT_NE(FirstError(LoadString(std::string("concurrency: {group: a, cancel: true}\n") + kJobs,
                                  "gauntlet.yml"))
                .find("cancel"),
            std::string::npos);
  EXPECT_NE(FirstError(LoadString(std::string("concurrency: [a]\n") + kJobs, "gauntlet.yml")), "");
}

// A workflow's `concurrency:` is kept for the server (it used to be a warning and dropped).
TEST(LoadConcurrency, WorkflowKeepsIt) {
  LoadResult r = LoadString(
      "on: push\nconcurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n"
      "  cancel-in-progress: true\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
      "    steps:\n      - run: 'true'\n",
      ".github/workflows/ci.yml");
  ASSERT_TRUE(r.ok()) << FirstError(r);
  EXPECT_EQ(r.pipeline.concurrency.group, "${{ github.workflow }}-${{ github.ref }}");
  EXPECT_TRUE(r.pipeline.concurrency.cancel_in_progress);
  for (const Problem& p : r.problems.all())
    EXPECT_EQ(p.message.find("concurrency"), std::string::npos) << p.message;
}

}  // namespace
}  // namespace gauntlet::spec
