// End to end: `gauntlet deploy` / `deployments` / `promote` / `abort` on canaries, against
// a real nginx and real backends with a client that never retries (deploy_e2e.h). The
// other paths (blue-green, rollback, scale-down, rolling, recreate, bake):
// cli_deploy_paths_test.cc.
#include <gtest/gtest.h>

#include <set>

#include "deploy/testing_http.h"
#include "deploy_e2e.h"

namespace gauntlet {
namespace {

TEST_F(DeployE2E, CanaryPromotesAGoodVersionThroughEveryStep) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");

  testing::Output o = Gauntlet({"deploy", "prod", "--version", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("step 1/3: 20% watched 500ms (green)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("step 2/3: 50% watched 500ms (green)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("scale-down: blue (1) kept for"), std::string::npos) << o.out;
  EXPECT_TRUE(Serves(green(), 100)) << Upstream();
  EXPECT_EQ(Upstream().find("server " + blue()), std::string::npos) << Upstream();
  EXPECT_TRUE(client->WaitFor("2", seconds(10)));
  EXPECT_FALSE(Running("blue")) << "scaled down";
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the canary" << Why(*client);

  nlohmann::json list = Deployments();
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  const nlohmann::json& d = list[0];
  EXPECT_EQ(d["state"], "succeeded");
  EXPECT_EQ(d["version"], "2");
  EXPECT_EQ(d["previous_version"], "1");
  EXPECT_EQ(d["strategy"], "canary");
  EXPECT_NE(d["trigger"].get<std::string>().find("deploy by"), std::string::npos);
  std::set<int> weights;
  for (const auto& v : d["verdicts"]) {
    EXPECT_EQ(v["verdict"], "pass") << v.dump();
    EXPECT_TRUE(v.contains("value") && v.contains("baseline") && v.contains("threshold") &&
                v.contains("window_ms"))
        << v.dump();
    weights.insert(v["weight"].get<int>());
  }
  EXPECT_EQ(weights, (std::set<int>{0, 20, 50})) << "analysis before traffic, then each step";
  // What the probe saw of version 2: three windows of 100 requests (before traffic, 20%,
  // 50%), percentiles in order.
  const nlohmann::json& seen = d["observed"];
  ASSERT_TRUE(seen.is_object()) << d.dump();
  EXPECT_EQ(seen["requests"], 300);
  EXPECT_EQ(seen["errors"], 0);
  EXPECT_GT(seen["p50_ms"].get<double>(), 0);
  EXPECT_LE(seen["p50_ms"].get<double>(), seen["p95_ms"].get<double>());
  EXPECT_LE(seen["p95_ms"].get<double>(), seen["p99_ms"].get<double>());
  EXPECT_TRUE(list[1]["observed"].is_null()) << "the first deployment had nothing to probe";
  EXPECT_TRUE(Incidents().empty());
  testing::Output text = Gauntlet({"deployments", "prod"});
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("#2 prod 2 (canary) succeeded"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("error_rate"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("observed: p50 "), std::string::npos) << text.out;

  // `rollback` right after the deploy (blue already stopped): v1 is redeployed to blue,
  // gets the traffic without analysis, and green is drained, then stopped.
  nlohmann::json r = GauntletJson({"rollback", "prod"}, 0);
  EXPECT_EQ(r["state"], "succeeded");
  EXPECT_EQ(r["strategy"], "rollback");
  EXPECT_EQ(r["version"], "1");
  EXPECT_TRUE(r["verdicts"].empty());
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the rollback" << Why(*client);
  auto incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "rollback");
  EXPECT_EQ(incidents[0].version, "2");
}

TEST_F(DeployE2E, ErroringCanaryRollsBackAtZeroWithoutAFailedUserRequest) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-bad"}, 1);
  EXPECT_EQ(d["state"], "rolled_back") << d.dump();
  EXPECT_NE(d["reason"].get<std::string>().find("error_rate"), std::string::npos) << d["reason"];
  bool failed_error_rate = false;
  for (const auto& v : d["verdicts"]) {
    if (v["metric"] == "error_rate" && v["verdict"] == "fail") {
      failed_error_rate = true;
      EXPECT_GT(v["value"].get<double>(), 0.3);
      EXPECT_EQ(v["baseline"].get<double>(), 0.0);
      EXPECT_EQ(v["weight"], 0) << "judged before any user traffic moved";
    }
  }
  EXPECT_TRUE(failed_error_rate) << d.dump();
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the deployment" << Why(*client);
  EXPECT_EQ(client->served_by("2-bad"), 0);
  auto incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].version, "2-bad");
}

// A failure after traffic moved (step 2, 50%): the weights go back to the stable slot
// before the new one is drained and stopped, so the users on it lose nothing. The metric
// turns bad once the deployment reaches that step.
TEST_F(DeployE2E, ACanaryFailingAtALaterStepRollsBackWithoutAFailedUserRequest) {
  deploy::testing::CannedServer metrics;
  metrics.Set("/stats", 200, R"({"queue": 1})");
  WatchQueueMetric(metrics.url(), "result < 10");
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  ASSERT_NE(ReadUntil(&engine, "traffic: blue=50 green=50"), "");
  metrics.Set("/stats", 200, R"({"queue": 50})");
  EXPECT_NE(ReadUntil(&engine, "deployment 2: rolled_back"), "");
  engine.Stop();
  nlohmann::json d = Deployments()[0];
  EXPECT_EQ(d["state"], "rolled_back");
  EXPECT_NE(d["reason"].get<std::string>().find("at 50% (step 2/3)"), std::string::npos)
      << d["reason"];
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_GT(client->served_by("2"), 0) << "users were on the canary";
  EXPECT_EQ(client->failed(), 0) << "a user request failed during the rollback" << Why(*client);
}

TEST_F(DeployE2E, SlowCanaryFailsOnP99) {
  p99_ratio_ = "3";
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-slow"}, 1);
  EXPECT_EQ(d["state"], "rolled_back") << d.dump();
  bool p99_failed = false;
  for (const auto& v : d["verdicts"]) {
    if (v["metric"] == "p99_latency_ms" && v["verdict"] == "fail") {
      p99_failed = true;
      EXPECT_GE(v["value"].get<double>(), 550.0);
      EXPECT_NEAR(v["threshold"].get<double>(), std::max(3 * v["baseline"].get<double>(), 25.0),
                  0.01)
          << "the configured ratio, 3, not the test default (20)";
    }
  }
  EXPECT_TRUE(p99_failed) << d.dump();
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
}

// An SLO is absolute: a version slower than its p95 bound is rolled back before it gets
// traffic, though the ratio rule (generous here) would let it through; the verdict names
// the bound and the deployment records what was observed.
TEST_F(DeployE2E, ACanaryAboveItsSloIsRolledBackWhereTheRatioRuleWouldPassIt) {
  p99_ratio_ = "1000";
  WritePipeline("canary", "    slo: {p95_ms: 300, error_rate: 0.01}\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-slow"}, 1);
  EXPECT_EQ(d["state"], "rolled_back") << d.dump();
  EXPECT_NE(d["reason"].get<std::string>().find("slo_p95_ms"), std::string::npos) << d.dump();
  std::set<std::string> failed, passed;
  for (const auto& v : d["verdicts"]) {
    if (v["verdict"] == "fail") failed.insert(v["metric"].get<std::string>());
    if (v["verdict"] == "pass") passed.insert(v["metric"].get<std::string>());
    if (v["metric"] == "slo_p95_ms") {
      EXPECT_EQ(v["threshold"], 300);
      EXPECT_GE(v["value"].get<double>(), 550.0) << v.dump();
      EXPECT_EQ(v["weight"], 0) << "judged before the version got traffic";
    }
  }
  EXPECT_EQ(failed, (std::set<std::string>{"slo_p95_ms"})) << d.dump();
  EXPECT_TRUE(passed.count("slo_error_rate")) << d.dump();
  EXPECT_TRUE(passed.count("p99_latency_ms")) << "the ratio rule alone lets it through";
  ASSERT_TRUE(d["observed"].is_object()) << d.dump();
  EXPECT_EQ(d["observed"]["requests"], 100);
  EXPECT_GE(d["observed"]["p95_ms"].get<double>(), 550.0);
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
}

// Killed mid-canary: the record says where it was, `deployments` says `interrupted` and
// the same step number as the progress line, others are refused, --resume finishes it.
TEST_F(DeployE2E, KilledMidCanaryIsShownInterruptedRefusedToOthersAndResumes) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  std::string step = ReadUntil(&engine, "step 2/3");
  ASSERT_NE(step, "");
  EXPECT_NE(step.find("step 2/3: 50% watched 500ms"), std::string::npos) << step;
  // "traffic: ..." is printed once the weights are applied and recorded.
  ASSERT_NE(ReadUntil(&engine, "traffic: blue=50 green=50"), "");
  engine.Stop(SIGKILL);
  nlohmann::json before = Deployments()[0];
  EXPECT_EQ(before["state"], "interrupted");
  EXPECT_EQ(before["phase"], "step");
  EXPECT_EQ(before["step"], 1) << "the index, from 0";
  EXPECT_EQ(before["position"], "step 2/3: 50% watched 500ms, weight 50%");
  EXPECT_EQ(before["weight"], 50);
  EXPECT_TRUE(Serves(green(), 50)) << Upstream();
  testing::Output text = Gauntlet({"deployments", "prod"});
  EXPECT_NE(text.out.find("#2 prod 2 (canary) interrupted"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("phase step 2/3: 50% watched 500ms, weight 50%"), std::string::npos)
      << text.out;

  testing::Output refused = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("was interrupted in phase step"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--resume"), std::string::npos) << refused.err;

  nlohmann::json d = GauntletJson({"deploy", "prod", "--resume"}, 0);
  EXPECT_EQ(d["state"], "succeeded") << d.dump();
  EXPECT_EQ(d["version"], "2");
  EXPECT_TRUE(Serves(green(), 100)) << Upstream();
}

TEST_F(DeployE2E, ASecondConcurrentDeployIsRefusedNamingTheHolder) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  // The first deployment holds in its pre_deploy command until the second was refused:
  // on a loaded machine a deployment can otherwise end before the second one starts.
  WritePipeline("canary",
                "    pre_deploy: \"exec 3<>hold; echo started > reached; read -r go <&3\"\n");
  testing::MakeHold(ws_.dir());
  testing::Signal reached(ws_.dir() / "reached");
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  EXPECT_EQ(reached.Wait(), "started");  // no ASSERT: the hold below must be released
  testing::Output second = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(second.code, 1);
  EXPECT_NE(second.err.find("is in progress, driven by pid " + std::to_string(engine.pid())),
            std::string::npos)
      << second.err;
  // The first one is unaffected.
  testing::ReleaseHold(ws_.dir());
  EXPECT_NE(ReadUntil(&engine, "deployment 2: succeeded"), "");
}

TEST_F(DeployE2E, InconclusiveAnalysisPausesUntilPromoted) {
  deploy::testing::CannedServer metrics;
  metrics.Set("/stats", 200, R"({"queue": null})");
  WatchQueueMetric(metrics.url(), "result < 10");
  WritePipeline("blue_green");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2"}, 1);
  EXPECT_EQ(d["state"], "paused") << d.dump();
  // No traffic moved while it waits for a person.
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  testing::Output refused = Gauntlet({"deploy", "prod", "--version", "3"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE((refused.out + refused.err).find("is paused waiting for a person"), std::string::npos)
      << refused.out << refused.err;

  testing::Output p = Gauntlet({"promote", "prod"});
  EXPECT_EQ(p.code, 0) << p.out << p.err;
  EXPECT_TRUE(Serves(green(), 100)) << Upstream();
  EXPECT_EQ(Deployments()[0]["state"], "succeeded");
}

TEST_F(DeployE2E, AbortRollsBackAPausedDeployment) {
  deploy::testing::CannedServer metrics;
  metrics.Set("/stats", 200, R"({"queue": null})");
  WatchQueueMetric(metrics.url(), "");
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  EXPECT_EQ(GauntletJson({"deploy", "prod", "--version", "2"}, 1)["state"], "paused");
  nlohmann::json d = GauntletJson({"abort", "prod"}, 0);
  EXPECT_EQ(d["state"], "rolled_back");
  EXPECT_EQ(d["reason"], "aborted by a person");
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  testing::Output again = Gauntlet({"abort", "prod"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE((again.out + again.err).find("'prod' has no deployment to abort"), std::string::npos)
      << again.out << again.err;
}

TEST_F(DeployE2E, CtrlCDuringACanaryPauseMovesTrafficBackAndExits130) {
  WritePipeline("canary");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  deploy::testing::Child engine;
  ASSERT_NO_FATAL_FAILURE(StartEngine(&engine, {"deploy", "prod", "--version", "2"}));
  // In the first step's pause: 20% of users on green, the analysis running.
  ASSERT_NE(ReadUntil(&engine, "traffic: blue=80 green=20"), "");
  int status = engine.Stop(SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of trapping it";
  EXPECT_EQ(WEXITSTATUS(status), 130);

  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_EQ(Upstream().find("server " + green() + " weight="), std::string::npos) << Upstream();
  EXPECT_FALSE(Running("green")) << "the new slot was stopped";
  nlohmann::json d = Deployments()[0];
  EXPECT_EQ(d["state"], "rolled_back");
  EXPECT_NE(d["reason"].get<std::string>().find("interrupted by a signal in phase step"),
            std::string::npos)
      << d["reason"];
  // docs/deploy.md: traffic goes back to the stable slot first, then the new slot stops.
  int back = -1, stopped = -1, i = 0;
  for (const auto& e : d["events"]) {
    const std::string detail = e.value("detail", "");
    if (back < 0 && e["kind"] == "traffic" && detail.starts_with("applied blue=100")) back = i;
    if (stopped < 0 && e["kind"] == "stop" && detail.find("green") != std::string::npos)
      stopped = i;
    ++i;
  }
  ASSERT_GE(back, 0) << d["events"].dump();
  ASSERT_GE(stopped, 0) << d["events"].dump();
  EXPECT_LT(back, stopped) << d["events"].dump();
  EXPECT_TRUE(Incidents().empty()) << "a person's Ctrl-C is no incident";
  EXPECT_TRUE(client->WaitFor("1", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << Why(*client);
  // The lock is released: the next deployment starts.
  EXPECT_EQ(Gauntlet({"deploy", "prod", "--version", "3"}).code, 0);
}

TEST_F(DeployE2E, WithoutRollbackOnFailureAFailedAnalysisPausesOnStableUntilAborted) {
  WritePipeline("canary", "    rollback_on_failure: false\n");
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  nlohmann::json d = GauntletJson({"deploy", "prod", "--version", "2-bad"}, 1);
  EXPECT_EQ(d["state"], "paused") << d.dump();
  EXPECT_NE(d["reason"].get<std::string>().find("error_rate"), std::string::npos) << d["reason"];
  // Users stay on the stable slot; the failing one is kept running for a person to look at.
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
  EXPECT_EQ(Upstream().find("server " + green() + " weight="), std::string::npos) << Upstream();
  EXPECT_TRUE(Running("green"));
  EXPECT_TRUE(Incidents().empty());
  testing::Output a = Gauntlet({"abort", "prod", "--json"});
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out, nullptr, false)["state"], "rolled_back") << a.out;
  EXPECT_FALSE(Running("green"));
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
}

}  // namespace
}  // namespace gauntlet
