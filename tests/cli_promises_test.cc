// End-to-end checks of documented promises of `gauntlet run` that no other test held
// (docs/testing.md lists every promise and the test that covers it): the real binary, a
// real store and real processes in a temp workspace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ReadFile;
using testing::Signal;
using testing::Workspace;
using Json = nlohmann::json;

int LinesIn(const fs::path& p) {
  std::string s = ReadFile(p);
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// `version --json` (the other commands' JSON is checked by their own tests; that each
// one offers it is CommandTableTest.EveryCommandHelpsWithExitCodesAndJson).
TEST(CliPromisesTest, VersionPrintsJson) {
  Workspace ws;
  auto version = ws.Run({"version", "--json"});
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(testing::JsonOut(version)["version"], GAUNTLET_VERSION);
}

// docs/caching.md: secret values are not part of the cache key, so rotating a secret does
// not re-run a cached job.
TEST(CliPromisesTest, RotatingASecretDoesNotRerunACachedJob) {
  Workspace ws;
  ws.Write("src/main.c", "int main(void) { return 0; }\n");
  ws.Write("first.env", "TOKEN=first-secret-value\n");
  ws.Write("second.env", "TOKEN=second-secret-value\n");
  ws.Write("gauntlet.yml", R"YML(name: rotate
jobs:
  build:
    secrets: [TOKEN]
    inputs: ["src/**"]
    commands:
      - echo ran >> build.count
      - test -n "$TOKEN"
)YML");
  auto first = ws.Run({"run", "--json", "--secrets-file", "first.env"});
  ASSERT_EQ(first.code, 0) << first.err;
  auto second = ws.Run({"run", "--json", "--secrets-file", "second.env"});
  ASSERT_EQ(second.code, 0) << second.err;
  Json a = testing::JsonOut(first), b = testing::JsonOut(second);
  EXPECT_EQ(a["jobs"][0]["status"], "success");
  EXPECT_EQ(b["jobs"][0]["status"], "cached");
  EXPECT_EQ(a["jobs"][0]["cache_key"], b["jobs"][0]["cache_key"]);
  EXPECT_EQ(LinesIn(ws.dir() / "build.count"), 1);
}

// docs/cli.md: `--from JOB` runs that job and everything after it, taking its needs'
// results and outputs from the pipeline's latest run; other jobs do not run.
TEST(CliPromisesTest, FromRunsTheJobAndWhatFollowsWithItsNeedsFromTheLatestRun) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: from
jobs:
  build:
    commands:
      - echo ran >> build.count
      - echo "version=7.1" >> "$GAUNTLET_OUTPUT"
  test: { needs: [build], run: 'echo "tested ${{ needs.build.outputs.version }}" >> test.out' }
  package: { needs: [test], run: "echo ran >> package.count" }
  lint: { run: "echo ran >> lint.count" }
)YML");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  auto r = ws.Run({"run", "--from", "test", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(testing::JsonOut(r)["run"], 2);
  EXPECT_EQ(LinesIn(ws.dir() / "build.count"), 1);
  EXPECT_EQ(LinesIn(ws.dir() / "lint.count"), 1);
  EXPECT_EQ(LinesIn(ws.dir() / "package.count"), 2);
  EXPECT_EQ(ReadFile(ws.dir() / "test.out"), "tested 7.1\ntested 7.1\n");
}

// docs/cli.md: jobs run in the pipeline file's directory, and the history is kept in
// `.gauntlet/` beside it, wherever gauntlet is started from.
TEST(CliPromisesTest, JobsRunInThePipelineFilesDirectory) {
  Workspace ws;
  ws.Write("app/gauntlet.yml", "name: nested\njobs:\n  where: { run: pwd > where.txt }\n");
  auto r = ws.Run({"run", "app/gauntlet.yml"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(ws.dir() / "app" / "where.txt"),
            fs::canonical(ws.dir() / "app").string() + "\n");
  EXPECT_TRUE(fs::exists(ws.dir() / "app" / ".gauntlet" / "state.db"));
  EXPECT_FALSE(fs::exists(ws.dir() / ".gauntlet"));
}

// docs/cli.md: `--resume` is refused (exit 2) when the plan changed since the run started;
// with the pipeline as it was, the same run resumes.
TEST(CliPromisesTest, ResumeIsRefusedWhenTheJobsChanged) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  testing::MakeHold(ws.dir());
  const std::string pipeline = std::string(R"YML(name: resumable
jobs:
  second: { needs: [first], run: "echo second >> second.out" }
  first:
    commands:
      - if [ -f go-on ]; then exit 0; fi
)YML") + testing::kHoldSteps;
  ws.Write("gauntlet.yml", pipeline);
  pid_t engine = ws.Start({"run"});
  ASSERT_EQ(reached.Wait(), "started");
  ASSERT_EQ(kill(engine, SIGKILL), 0);
  EXPECT_EQ(ws.Wait(engine).code, 128 + SIGKILL);
  testing::ReleaseHold(ws.dir());  // the orphaned job ends; nothing records it

  ws.Write("go-on", "");
  ws.Write("gauntlet.yml", pipeline + "  third: { needs: [first], run: \"true\" }\n");
  auto refused = ws.Run({"run", "--resume"});
  EXPECT_EQ(refused.code, 2) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("changed since run 1 started"));
  EXPECT_FALSE(fs::exists(ws.dir() / "second.out"));

  ws.Write("gauntlet.yml", pipeline);
  auto resumed = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(testing::JsonOut(resumed)["run"], 1);
  EXPECT_EQ(ReadFile(ws.dir() / "second.out"), "second\n");
}

}  // namespace
}  // namespace gauntlet
