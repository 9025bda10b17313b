#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "deploy/command_router.h"
#include "deploy/exec_command.h"
#include "deploy/nginx_router.h"
#include "deploy/testing.h"

namespace gauntlet::deploy {
namespace {

TEST(DeployRouter, ValidateWeights) {
  EXPECT_TRUE(ValidateWeights({{"blue", "127.0.0.1:80", 100}, {"green", "h:81", 0}}));
  EXPECT_FALSE(ValidateWeights({{"blue", "127.0.0.1:80", 0}}));
  EXPECT_FALSE(ValidateWeights({}));
  EXPECT_FALSE(ValidateWeights({{"blue", "127.0.0.1:80", -1}, {"g", "h:1", 1}}));
  EXPECT_FALSE(ValidateWeights({{"blue", "h:1", 1}, {"blue", "h:2", 1}}));
  EXPECT_FALSE(ValidateWeights({{"blue", "h:1; include /etc/passwd", 1}}));
  EXPECT_FALSE(ValidateWeights({{"bl ue", "h:1", 1}}));
  EXPECT_FALSE(ValidateWeights({{"blue", "h:1}", 1}}));
}

TEST(DeployRouter, RenderUpstreamLeavesWeightZeroOut) {
  std::string text = RenderUpstream("app", {{"blue", "127.0.0.1:8001", 75},
                                            {"green", "127.0.0.1:8002", 25},
                                            {"canary", "127.0.0.1:8003", 0}});
  EXPECT_NE(text.find("upstream app {\n"), std::string::npos);
  EXPECT_NE(text.find("    server 127.0.0.1:8001 weight=75;  # blue\n"), std::string::npos);
  EXPECT_NE(text.find("    server 127.0.0.1:8002 weight=25;  # green\n"), std::string::npos);
  EXPECT_EQ(text.find("server 127.0.0.1:8003"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(DeployCommandRouter, PassesWeightsAsArgumentsAndEnvironment) {
  testing::TempDir dir;
  std::string out = dir.path() + "/out";
  // The script reads only "$@" and env: values never become shell code.
  CommandRouter router(ShellArgv("printf '%s|' \"$@\" \"$GAUNTLET_WEIGHTS\" "
                                 "\"$GAUNTLET_WEIGHT_GREEN_2\" \"$GAUNTLET_ADDRESS_BLUE\" > " +
                                     out,
                                 "gauntlet-router"),
                       ExecCommand);
  ASSERT_TRUE(router.SetWeights({{"blue", "10.0.0.1:80", 90}, {"green-2", "10.0.0.2:80", 10}}));
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "blue=90|green-2=10|blue=90,green-2=10|10|10.0.0.1:80|");
}

// docs/deploy.md: the command runs on every traffic change, even to the weights it set
// last (only it knows what its balancer applied), and a stop waits for no connections of
// its own (gauntlet cannot see a balancer's): only `drain`, which the deployment adds.
TEST(DeployCommandRouter, RunsOnEveryChangeEvenTheSameAndWaitsForNothing) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/runs";
  CommandRouter router(ShellArgv("echo \"$GAUNTLET_WEIGHTS\" >> " + out, "gauntlet-router"),
                       ExecCommand);
  const std::vector<SlotWeight> weights = {{"blue", "h:1", 50}, {"green", "h:2", 50}};
  for (int i = 0; i < 2; ++i) {
    auto applied = router.SetWeights(weights);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_TRUE(*applied) << "run " << i + 1;
  }
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "blue=50,green=50\nblue=50,green=50\n");
  FakeClock clock;
  auto waited = router.AwaitOldConnections(clock, std::chrono::seconds(30));
  ASSERT_TRUE(waited);
  EXPECT_EQ(*waited, "");
  EXPECT_EQ(clock.Elapsed(), Duration(0));
}

TEST(DeployCommandRouter, FailureCarriesOutput) {
  CommandRouter router(ShellArgv("echo lb said no >&2; exit 4", "gauntlet-router"), ExecCommand);
  auto s = router.SetWeights({{"blue", "h:1", 1}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("exit 4"), std::string::npos);
  EXPECT_NE(s.error().message.find("lb said no"), std::string::npos);
  EXPECT_FALSE(router.SetWeights({{"blue", "h:1", 0}}));  // validated before running
}

}  // namespace
}  // namespace gauntlet::deploy
