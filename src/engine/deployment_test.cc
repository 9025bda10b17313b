// A deployment as a library call, on a FakeClock: its waits (a health check's initial
// delay of an hour here) take no real time, and its commands run in the workspace
// without the process's directory changing.
#include "engine/deployment.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cache/test_dir.h"

namespace gauntlet::engine {
namespace {

constexpr const char* kPipeline =
    "name: app\n"
    "jobs:\n"
    "  build: { run: 'true' }\n"
    "environments:\n"
    "  local:\n"
    "    strategy: recreate\n"
    "    instances: [ { name: one, address: '127.0.0.1:1' } ]\n"
    "    deploy: pwd > deployed-in.txt && echo ${{ release.version }} > version.txt\n"
    "    stop: 'true'\n"
    "    router: { type: none }\n"
    "    health: { type: command, command: test -f version.txt, initial_delay: 1h, "
    "period: 10m }\n";

TEST(EngineDeploymentTest, WaitsOnTheGivenClockAndRunsCommandsInTheWorkspace) {
  cache::TestDir dir;
  dir.Write("gauntlet.yml", kPipeline);
  LoadedPipeline loaded = LoadPipeline(dir / "gauntlet.yml", "");
  ASSERT_TRUE(loaded.ok()) << loaded.problems.Format("", false);
  auto env = FindEnvironment(loaded, "local");
  ASSERT_TRUE(env.ok()) << env.error().message;
  const std::string cwd = std::filesystem::current_path().string();

  FakeClock clock;
  DeploymentRequest req;
  req.environment = *env;
  req.workspace = WorkspaceForFile(loaded.file, "");
  req.start.version = "1.2.3";
  req.start.trigger = "test";
  req.clock = &clock;
  std::vector<std::string> lines;
  req.print = [&lines](const std::string& line) { lines.push_back(line); };
  auto handle = StartDeployment(std::move(req));
  const DeploymentOutcome& out = handle->Wait();

  ASSERT_TRUE(out.record.ok()) << out.record.error().message;
  EXPECT_EQ(out.record->state, store::kDeploySucceeded) << out.record->reason;
  EXPECT_EQ(out.record->version, "1.2.3");
  EXPECT_TRUE(out.asked);
  EXPECT_FALSE(out.cancelled);
  // Recreate, in order: the old instance stopped, the new version deployed, its health
  // probed, the end.
  auto first = [&out](const std::string& kind) {
    for (size_t i = 0; i < out.events.size(); ++i)
      if (out.events[i].kind == kind) return static_cast<int>(i);
    return -1;
  };
  ASSERT_GE(first("stop"), 0) << "no stop event";
  EXPECT_LT(first("stop"), first("deploy"));
  EXPECT_LT(first("deploy"), first("health"));
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events.back().kind, "end");
  EXPECT_FALSE(lines.empty());
  // The hour of initial delay passed on the fake clock only; records carry its time. The
  // first probe passes: no second period of 10 minutes was waited.
  EXPECT_GE(clock.Elapsed(), std::chrono::hours(1));
  EXPECT_LT(clock.Elapsed(), std::chrono::hours(1) + std::chrono::minutes(10));
  EXPECT_GE(out.record->finished_ms, FakeClock::kStartUnixMs + 3'600'000);
  EXPECT_EQ(dir.Read("deployed-in.txt"), std::filesystem::canonical(dir.path()).string() + "\n");
  EXPECT_EQ(dir.Read("version.txt"), "1.2.3\n");
  EXPECT_EQ(std::filesystem::current_path().string(), cwd);
}

TEST(EngineDeploymentTest, AnUnknownEnvironmentIsNotFoundAndNamesTheKnownOnes) {
  cache::TestDir dir;
  dir.Write("gauntlet.yml", kPipeline);
  LoadedPipeline loaded = LoadPipeline(dir / "gauntlet.yml", "");
  auto env = FindEnvironment(loaded, "prod");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(env.error().message.find("(known: local)"), std::string::npos) << env.error().message;
}

TEST(EngineDeploymentTest, ARelativeUpstreamFileIsInTheWorkspace) {
  spec::Environment env;
  env.nginx_upstream_file = ".gauntlet/nginx/upstream.conf";
  Workspace ws;
  ws.root = "/srv/app";
  EXPECT_EQ(InWorkspace(env, ws).nginx_upstream_file, "/srv/app/.gauntlet/nginx/upstream.conf");
  env.nginx_upstream_file = "/etc/nginx/app.conf";
  EXPECT_EQ(InWorkspace(env, ws).nginx_upstream_file, "/etc/nginx/app.conf");
}

}  // namespace
}  // namespace gauntlet::engine
