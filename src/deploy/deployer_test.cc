// The deployment state machine for instance strategies (rolling, recreate) and what
// every strategy shares: secrets, values as environment variables, hooks. Two-slot
// strategies: deployer_slots_test.cc. The fixture records one ordered log
// (deployer_fixture.h).
#include "deploy/deployer.h"

#include <gtest/gtest.h>

#include "deploy/deployer_fixture.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using testing::DeployerTest;
using testing::EnvOf;
using testing::Shown;

TEST_F(DeployerTest, SecretsReachTheCommandsAndNeverTheRecords) {
  const std::string secret = "hunter2-s3cr3t";
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "rolling";
  env_.secrets = {"DEPLOY_TOKEN"};
  // Refused before anything runs while the listed secret has no value.
  auto refused = Deployer(env_, Context()).Start({"1", "", "test", ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("secret DEPLOY_TOKEN"), std::string::npos);
  // So are promote, abort and rollback (docs/deploy.md, "Secrets").
  for (auto r : {Deployer(env_, Context()).Promote(), Deployer(env_, Context()).Abort(),
                 Deployer(env_, Context()).Rollback("", "test")}) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("secret DEPLOY_TOKEN"), std::string::npos)
        << r.error().message;
  }
  EXPECT_TRUE(commands_.empty());

  secrets_ = {{"DEPLOY_TOKEN", secret}, {"OTHER", "unlisted-value"}};
  Deploy("1");
  fail_command_ = [](const std::string& line) { return line == "deploy b 2"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  ASSERT_FALSE(requests_.empty());
  EXPECT_EQ(EnvOf(requests_[0], "DEPLOY_TOKEN"), secret) << "listed: given to the command";
  EXPECT_EQ(EnvOf(requests_[0], "OTHER"), "") << "not listed: not given";
  EXPECT_NE(d.reason.find("boom ***"), std::string::npos) << d.reason;
  std::string recorded = d.reason + printed_;
  auto events = store_->GetDeploymentEvents(d.id);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) recorded += e.detail + e.json;
  // Named results: a range-for over a member of a temporary would outlive it.
  auto incidents = store_->ListIncidents(0);
  ASSERT_TRUE(incidents.ok());
  for (const auto& i : *incidents) recorded += i.detail;
  auto deployments = store_->ListDeployments("prod", 10);
  ASSERT_TRUE(deployments.ok());
  for (const auto& x : *deployments) recorded += x.reason;
  EXPECT_EQ(recorded.find(secret), std::string::npos) << recorded;
  EXPECT_NE(recorded.find("***"), std::string::npos) << recorded;
}

TEST_F(DeployerTest, RollingFailureWithoutRollbackPausesWithTheBatchOutOfTheRouter) {
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "rolling";
  env_.rollback_on_failure = false;
  Deploy("1");
  commands_.clear();
  routes_.clear();
  fail_command_ = [](const std::string& line) { return line == "deploy b 2"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployPaused);
  EXPECT_NE(d.reason.find("held (rollback_on_failure: false)"), std::string::npos) << d.reason;
  EXPECT_EQ(commands_, (std::vector<std::string>{"deploy a 2", "deploy b 2"})) << "no restore";
  EXPECT_EQ(Shown(routes_.back()), "a=1 b=0") << "the failed instance gets no traffic";
  EXPECT_TRUE(store_->ListIncidents(0)->empty());
  // A person decides: promote retries the failed batch.
  fail_command_ = nullptr;
  auto r = Deployer(env_, Context()).Promote();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, store::kDeploySucceeded) << r->reason;
  EXPECT_EQ(Shown(routes_.back()), "a=1 b=1");
}

TEST_F(DeployerTest, CommandValuesArriveAsEnvironmentVariablesNotShellText) {
  env_.instances = {{"a", "127.0.0.1:1"}};
  env_.strategy = "rolling";
  Deploy("1.0");
  ASSERT_FALSE(requests_.empty());
  EXPECT_EQ(requests_[0].argv[2], "deploy ${GAUNTLET_SLOT} ${GAUNTLET_RELEASE_VERSION}");
  EXPECT_EQ(EnvOf(requests_[0], "GAUNTLET_INSTANCE"), "a");
  EXPECT_EQ(EnvOf(requests_[0], "GAUNTLET_ADDRESS"), "127.0.0.1:1");
  // A version that would be shell syntax is refused before anything runs.
  Deployer d(env_, Context());
  auto r = d.Start({"1;rm -rf /", "", "test", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("bad version"), std::string::npos);
}

TEST_F(DeployerTest, RollingGoesBatchByBatchTakingEachOutOfTheRouter) {
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}, {"c", "127.0.0.1:3"}};
  env_.strategy = "rolling";
  env_.max_unavailable = 2;
  store::DeploymentRecord d = Deploy("1");
  EXPECT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  EXPECT_EQ(commands_, (std::vector<std::string>{"deploy a 1", "deploy b 1", "deploy c 1"}));
  ASSERT_EQ(routes_.size(), 4u);
  EXPECT_EQ(Shown(routes_[0]), "a=0 b=0 c=1");
  EXPECT_EQ(Shown(routes_[1]), "a=1 b=1 c=1");
  EXPECT_EQ(Shown(routes_[2]), "a=1 b=1 c=0");
  EXPECT_EQ(Shown(routes_[3]), "a=1 b=1 c=1");
  auto stable = store_->GetStable("prod");
  ASSERT_TRUE(stable.ok() && stable->has_value());
  EXPECT_EQ((*stable)->version, "1");
}

TEST_F(DeployerTest, FailedRollingBatchRestoresThePreviousReleaseAndRecordsAnIncident) {
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "rolling";
  Deploy("1");
  commands_.clear();
  fail_command_ = [](const std::string& line) { return line == "deploy b 2"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  EXPECT_NE(d.reason.find("deploy exited 1: boom"), std::string::npos) << d.reason;
  EXPECT_EQ(commands_,
            (std::vector<std::string>{"deploy a 2", "deploy b 2", "deploy a 1", "deploy b 1"}));
  auto incidents = store_->ListIncidents(0);
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].version, "2");
  EXPECT_EQ((*incidents)[0].git_commit, "c-2");
  EXPECT_EQ((*store_->GetStable("prod"))->version, "1");
}

TEST_F(DeployerTest, RecreateStopsEverythingFirst) {
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "recreate";
  env_.router = "none";
  Deploy("1");
  EXPECT_EQ(commands_,
            (std::vector<std::string>{"stop a ", "stop b ", "deploy a 1", "deploy b 1"}));
}

// `deploy --strategy S` on an environment set up for another strategy: each key S does
// not use is named with its line (docs/deploy.md), and none when the strategy is its own.
TEST_F(DeployerTest, AStrategyOverrideNamesTheKeysItDoesNotUse) {
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "rolling";
  env_.router = "none";
  env_.strategy_keys = {{"max_unavailable", Location{"gauntlet.yml", 9, 5}},
                        {"analysis", Location{"gauntlet.yml", 11, 5}}};
  EXPECT_EQ(Deploy("1").state, store::kDeploySucceeded);
  EXPECT_EQ(printed_.find("note:"), std::string::npos) << printed_;
  EXPECT_EQ(Deploy("2", "recreate").state, store::kDeploySucceeded);
  EXPECT_NE(printed_.find("note: max_unavailable (line 9) is not used by recreate"),
            std::string::npos)
      << printed_;
  EXPECT_NE(printed_.find("note: analysis (line 11) is not used by recreate"), std::string::npos)
      << printed_;
}

TEST_F(DeployerTest, FailingPreDeployHookAbortsBeforeAnythingMoves) {
  env_.instances = {{"blue", "127.0.0.1:1"}, {"green", "127.0.0.1:2"}};
  env_.strategy = "canary";
  env_.pre_deploy = "check";
  fail_command_ = [](const std::string& line) { return line.rfind("check", 0) == 0; };
  store::DeploymentRecord d = Deploy("1");
  EXPECT_EQ(d.state, store::kDeployFailed);
  EXPECT_NE(d.reason.find("pre_deploy failed"), std::string::npos) << d.reason;
  EXPECT_EQ(commands_, (std::vector<std::string>{"check blue 1"}));
  EXPECT_TRUE(routes_.empty());
  // The lock is released: the next deployment starts.
  fail_command_ = nullptr;
  EXPECT_EQ(Deploy("1").state, store::kDeploySucceeded);
}

TEST_F(DeployerTest, FailingPostDeployHookIsReportedAndTheReleaseKept) {
  env_.instances = {{"blue", "127.0.0.1:1"}, {"green", "127.0.0.1:2"}};
  env_.strategy = "blue_green";
  env_.post_deploy = "notify";
  fail_command_ = [](const std::string& line) { return line.rfind("notify", 0) == 0; };
  store::DeploymentRecord d = Deploy("1");
  EXPECT_EQ(d.state, store::kDeploySucceeded);
  EXPECT_NE(d.reason.find("post_deploy failed (release kept)"), std::string::npos) << d.reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=100");
}

}  // namespace
}  // namespace gauntlet::deploy
