// End to end, every other path a deploy takes through a real nginx with a client that
// never retries (deploy_e2e.h): blue-green switches, `rollback` right after a deploy and
// inside the scale-down window, a second deploy during a scale-down, rolling (good and
// bad versions), the bake after promotion, and recreate.
#include <gtest/gtest.h>

#include <map>

#include "deploy_e2e.h"

namespace gauntlet {
namespace {

TEST_F(DeployE2E, BlueGreenWithoutScaleDownDelaySwitchesAndRollsBackDroppingNothing) {
  scale_down_delay_ = "0s";
  WritePipeline("blue_green");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_TRUE(Serves(green(), 100)) << Upstream();
  EXPECT_FALSE(Running("blue")) << "stopped at once, once drained";
  EXPECT_NE(o.out.find("drain blue: nginx's old workers"), std::string::npos) << o.out;
  EXPECT_TRUE(client->WaitFor("2", seconds(10)));
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the switch" << Why(*client);
  // And straight back: v1 redeployed on blue, switched, green drained and stopped.
  testing::Output rb = Gauntlet({"rollback", "prod"});
  EXPECT_EQ(rb.code, 0) << rb.out << rb.err;
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the rollback" << Why(*client);
  EXPECT_GT(client->ok(), 0);
}

// The documented instant rollback while the deploy keeps the old slot: the rollback
// preempts the scale-down, traffic goes back to the old slot (never stopped), and the
// first deploy ends without stopping it.
TEST_F(DeployE2E, RollbackInsideTheScaleDownWindowIsInstantAndDropsNothing) {
  scale_down_delay_ = "30s";
  WritePipeline("blue_green");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  ASSERT_NE(ReadUntil(&engine, "scale-down: blue (1) kept for"), "");
  EXPECT_TRUE(client->WaitFor("2", seconds(10)));
  nlohmann::json r = GauntletJson({"rollback", "prod"}, 0);
  EXPECT_EQ(r["state"], "succeeded") << r.dump();
  ASSERT_FALSE(r["events"].empty()) << r.dump();
  bool redeployed = false, traffic_back = false;
  for (const auto& e : r["events"]) {
    redeployed = redeployed || e["kind"] == "deploy";
    const std::string detail = e["detail"];
    traffic_back = traffic_back || (e["kind"] == "traffic" && detail.starts_with("applied") &&
                                    detail.find("blue=100") != std::string::npos);
  }
  EXPECT_FALSE(redeployed) << "blue still ran 1: no redeploy";
  EXPECT_TRUE(traffic_back) << r["events"].dump();
  // The first deploy notices at its next tick and ends, leaving blue alone.
  std::string end = ReadUntil(&engine, "deployment 2: succeeded", seconds(10));
  EXPECT_NE(end.find("left running"), std::string::npos) << end;
  EXPECT_EQ(engine.Stop(), 0) << "it had already exited";
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_TRUE(Running("blue"));
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << "a user request failed" << Why(*client);
  EXPECT_EQ(Incidents().size(), 1u) << "the manual rollback blames 2";
}

// The lock covers the scale-down: a second deploy waits for it (saying so) and is not
// placed into the slot being stopped; neither is disturbed, and no incident is recorded.
TEST_F(DeployE2E, ASecondDeployDuringAScaleDownWaitsAndDropsNothing) {
  scale_down_delay_ = "1s";
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  ASSERT_NE(ReadUntil(&engine, "scale-down: blue (1) kept for"), "");
  testing::Output second = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_NE(
      second.out.find("waiting for deployment 2 of prod (2) to finish scaling down slot blue"),
      std::string::npos)
      << second.out;
  EXPECT_NE(ReadUntil(&engine, "deployment 2: succeeded"), "");
  nlohmann::json list = Deployments();
  EXPECT_EQ(list[0]["version"], "3");
  EXPECT_EQ(list[0]["state"], "succeeded");
  EXPECT_EQ(list[1]["state"], "succeeded");
  EXPECT_TRUE(Serves(blue(), 100)) << "3 went to the slot 2 had scaled down\n" << Upstream();
  EXPECT_TRUE(client->WaitFor("3", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << Why(*client);
  EXPECT_TRUE(Incidents().empty());
}

TEST_F(DeployE2E, RollingAGoodVersionDropsNothing) {
  WritePipeline("rolling");
  ASSERT_NO_FATAL_FAILURE(DeployFirst(1));
  auto client = ClientOn("1");
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("analysis after batch 1/2: blue against green"), std::string::npos) << o.out;
  EXPECT_TRUE(Serves(blue(), 1) && Serves(green(), 1)) << Upstream();
  EXPECT_TRUE(client->WaitFor("2", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->served_by("1") > 0 && client->served_by("2") > 0, true);
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the rolling deploy" << Why(*client);
}

// Rolling has no traffic-free analysis: the first batch serves users while it is
// watched. A bad version goes back after that batch, and how many user requests reached
// it is reported (rolling's exposure; a canary's is 0, as above).
TEST_F(DeployE2E, RollingABadVersionRollsBackAfterItsFirstBatch) {
  WritePipeline("rolling");
  ASSERT_NO_FATAL_FAILURE(DeployFirst(1));
  auto client = ClientOn("1");
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-bad"}, 1);
  EXPECT_EQ(d["state"], "rolled_back") << d.dump();
  EXPECT_NE(d["reason"].get<std::string>().find("after batch 1/2"), std::string::npos)
      << d["reason"];
  EXPECT_TRUE(Serves(blue(), 1) && Serves(green(), 1)) << Upstream();
  EXPECT_TRUE(client->WaitFor("1", seconds(10), 20));
  client->Stop();
  const int reached = client->served_by("2-bad");
  std::printf("rolling: %d user requests reached 2-bad (%d failed) of %d answered\n", reached,
              client->failed(), client->ok() + client->failed());
  RecordProperty("user_requests_on_bad_version", reached);
  EXPECT_GT(reached, 0) << "its first batch served users";
  EXPECT_EQ(client->dropped(), 0) << "only the bad version's own answers failed" << Why(*client);
  ASSERT_FALSE(d["events"].empty()) << d.dump();
  std::map<std::string, int> deploys;  // "VERSION on INSTANCE" -> how many times
  for (const auto& e : d["events"])
    if (e["kind"] == "deploy") ++deploys[e["detail"].get<std::string>()];
  EXPECT_EQ(deploys["2-bad on blue"], 1) << d["events"].dump();
  EXPECT_EQ(deploys.count("2-bad on green"), 0u) << "the second batch never got it";
  EXPECT_EQ(Incidents().size(), 1u);
}

// Watch after promotion: a version that turns bad once it has all the traffic is rolled
// back inside its bake window, to the old slot kept ready.
TEST_F(DeployE2E, AVersionTurningBadAfterPromotionIsRolledBackInItsBake) {
  WritePipeline("blue_green", "    bake: 3s\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-late-bad"}, 1);
  EXPECT_EQ(d["state"], "rolled_back") << d.dump();
  EXPECT_NE(d["reason"].get<std::string>().find("in the bake at 100%"), std::string::npos)
      << d["reason"];
  // Inside the window: it failed on a bake verdict before the bake's windows ran out.
  int bake_windows = 0;
  bool in_bake = false;
  for (const auto& e : d["events"]) {
    if (e["kind"] == "phase") in_bake = e["detail"].get<std::string>().rfind("bake", 0) == 0;
    if (in_bake && e["kind"] == "verdict" && e["detail"].get<std::string>().find("canary") == 0 &&
        e["detail"].get<std::string>().find("requests failed") != std::string::npos)
      ++bake_windows;
  }
  EXPECT_GE(bake_windows, 1);
  EXPECT_LT(bake_windows, 6) << "3s of 500ms windows: rolled back before its end";
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_TRUE(Running("blue")) << "kept ready through the bake";
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  std::printf("bake: %d user requests reached 2-late-bad\n", client->served_by("2-late-bad"));
  EXPECT_EQ(client->dropped(), 0) << "only the bad version's own answers failed" << Why(*client);
  nlohmann::json list = Deployments();
  EXPECT_EQ(list[1]["state"], "succeeded") << "v1 stays the stable release";
  ASSERT_EQ(Incidents().size(), 1u);
  EXPECT_EQ(Incidents()[0].version, "2-late-bad");
}

// recreate stops everything, then starts the new version: downtime by design (no
// zero-failure promise), but the router ends up on every instance.
TEST_F(DeployE2E, RecreateBehindNginxEndsWithEveryInstanceServing) {
  WritePipeline("recreate");
  ASSERT_NO_FATAL_FAILURE(DeployFirst(1));
  EXPECT_TRUE(Serves(green(), 1)) << Upstream();
  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_TRUE(Serves(blue(), 1) && Serves(green(), 1)) << Upstream();
  auto client = ClientOn("2");
  EXPECT_TRUE(client->WaitFor("2", seconds(10), 10));
  client->Stop();
  EXPECT_EQ(client->served_by("1"), 0);
  EXPECT_EQ(client->failed(), 0) << Why(*client);
}

}  // namespace
}  // namespace gauntlet
