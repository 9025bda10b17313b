// The deployment state machine with a recording router and command runner, a fake clock
// and a real SQLite store; two-slot analysis probes real gauntlet-testapp processes.
#include "deploy/deployer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "deploy/testing.h"
#include "store/sqlite_store.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;

// Records every weight change; fails those `fail` says to.
class FakeRouter : public Router {
 public:
  explicit FakeRouter(std::vector<std::vector<SlotWeight>>* log,
                      std::function<bool(const std::vector<SlotWeight>&)> fail)
      : log_(log), fail_(std::move(fail)) {}
  Status SetWeights(const std::vector<SlotWeight>& weights) override {
    if (fail_ && fail_(weights)) return Error{"router refused"};
    log_->push_back(weights);
    return Ok();
  }

 private:
  std::vector<std::vector<SlotWeight>>* log_;
  std::function<bool(const std::vector<SlotWeight>&)> fail_;
};

std::string Env(const CommandRequest& r, const std::string& key) {
  for (const auto& [k, v] : r.env) {
    if (k == key) return v;
  }
  return "";
}

// "name=weight ..." of one routing, in order.
std::string Shown(const std::vector<SlotWeight>& ws) {
  std::string out;
  for (const auto& w : ws)
    out += (out.empty() ? "" : " ") + w.slot + "=" + std::to_string(w.weight);
  return out;
}

class DeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    env_.name = "prod";
    env_.deploy = "deploy ${{ slot }} ${{ release.version }}";
    env_.stop = "stop ${{ slot }}";
    env_.pause = milliseconds(400);
    env_.scale_down_delay = milliseconds(0);
    env_.analysis.interval = milliseconds(200);
    env_.analysis.max_p99_ratio = 20;  // latency noise on a loaded machine is not the point here
    env_.router = "command";
  }

  DeployContext Context() {
    DeployContext ctx;
    ctx.store = store_.get();
    ctx.clock = &clock_;
    ctx.run = [this](const CommandRequest& r) -> Result<CommandResult> {
      // argv = {/bin/sh, -c, COMMAND, NAME}: record "COMMAND-WORD SLOT VERSION".
      std::string line = r.argv[2].substr(0, r.argv[2].find(' ')) + " " + Env(r, "GAUNTLET_SLOT") +
                         " " + Env(r, "GAUNTLET_RELEASE_VERSION");
      commands_.push_back(line);
      requests_.push_back(r);
      CommandResult res;
      res.exit_code = fail_command_ && fail_command_(line) ? 1 : 0;
      // A failing command prints its secret, as a careless script would.
      res.output = res.exit_code ? "boom " + Env(r, "DEPLOY_TOKEN") : "";
      return res;
    };
    ctx.secrets = secrets_;
    ctx.interrupted = interrupted_;
    ctx.print = [this](const std::string& line) { printed_ += line + "\n"; };
    ctx.pid = 1;  // init: always alive
    ctx.host = store::HostName();
    ctx.make_router = [this](const spec::Environment&) -> Result<std::unique_ptr<Router>> {
      return std::unique_ptr<Router>(std::make_unique<FakeRouter>(&routes_, fail_route_));
    };
    return ctx;
  }

  store::DeploymentRecord Deploy(const std::string& version, const std::string& strategy = "") {
    Deployer d(env_, Context());
    auto r = d.Start({version, strategy, "test", "c-" + version});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : store::DeploymentRecord{};
  }

  deploy::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  spec::Environment env_;
  FakeClock clock_;
  std::vector<std::string> commands_;
  std::vector<CommandRequest> requests_;
  std::vector<std::vector<SlotWeight>> routes_;
  std::function<bool(const std::string&)> fail_command_;
  std::function<bool(const std::vector<SlotWeight>&)> fail_route_;
  std::vector<std::pair<std::string, std::string>> secrets_;
  std::function<bool()> interrupted_;
  std::string printed_;
};

TEST_F(DeployerTest, SecretsReachTheCommandsAndNeverTheRecords) {
  const std::string secret = "hunter2-s3cr3t";
  env_.instances = {{"a", "127.0.0.1:1"}, {"b", "127.0.0.1:2"}};
  env_.strategy = "rolling";
  env_.secrets = {"DEPLOY_TOKEN"};
  // Refused before anything runs while the listed secret has no value.
  auto refused = Deployer(env_, Context()).Start({"1", "", "test", ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("secret DEPLOY_TOKEN"), std::string::npos);
  EXPECT_TRUE(commands_.empty());

  secrets_ = {{"DEPLOY_TOKEN", secret}, {"OTHER", "unlisted-value"}};
  Deploy("1");
  fail_command_ = [](const std::string& line) { return line == "deploy b 2"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  ASSERT_FALSE(requests_.empty());
  EXPECT_EQ(Env(requests_[0], "DEPLOY_TOKEN"), secret) << "listed: given to the command";
  EXPECT_EQ(Env(requests_[0], "OTHER"), "") << "not listed: not given";
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
  EXPECT_EQ(Env(requests_[0], "GAUNTLET_INSTANCE"), "a");
  EXPECT_EQ(Env(requests_[0], "GAUNTLET_ADDRESS"), "127.0.0.1:1");
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

// Two-slot deployments with analysis: real backends for the probe.
class DeployerSlotsTest : public DeployerTest {
 protected:
  void SetUp() override {
    DeployerTest::SetUp();
    blue_ = deploy::testing::StartTestApp(&blue_app_, {"--version", "1"});
    green_ = deploy::testing::StartTestApp(&green_app_, {"--version", "2"});
    ASSERT_FALSE(blue_.empty());
    ASSERT_FALSE(green_.empty());
    env_.instances = {{"blue", blue_}, {"green", green_}};
    env_.strategy = "canary";
    env_.steps = {50, 100};
    ASSERT_EQ(Deploy("1").state, store::kDeploySucceeded);  // blue is stable
    routes_.clear();
    commands_.clear();
  }
  deploy::testing::Child blue_app_, green_app_;
  std::string blue_, green_;
};

TEST_F(DeployerSlotsTest, RouterFailingAtPromotionRollsBackToTheStableSlot) {
  fail_route_ = [](const std::vector<SlotWeight>& ws) {
    for (const auto& w : ws) {
      if (w.slot == "green" && w.weight == 100) return true;
    }
    return false;
  };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  EXPECT_NE(d.reason.find("promotion: router refused"), std::string::npos) << d.reason;
  ASSERT_GE(routes_.size(), 3u);
  EXPECT_EQ(Shown(routes_[0]), "blue=100");
  EXPECT_EQ(Shown(routes_[1]), "blue=50 green=50");
  EXPECT_EQ(Shown(routes_.back()), "blue=100") << "traffic back on the stable slot";
  EXPECT_EQ(commands_.back(), "stop green 2");
  EXPECT_EQ((*store_->GetStable("prod"))->version, "1");
}

TEST_F(DeployerSlotsTest, UnhealthyNewSlotRollsBackBeforeAnyTrafficMoves) {
  env_.health.type = "http";
  env_.health.url = "http://${{ instance.address }}/missing";  // 404: never healthy
  env_.health.failure_threshold = 2;
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  EXPECT_NE(d.reason.find("green unhealthy after 2 probe(s): HTTP 404"), std::string::npos)
      << d.reason;
  for (const auto& route : routes_) {
    for (const auto& w : route) EXPECT_FALSE(w.slot == "green" && w.weight > 0) << Shown(route);
  }
  EXPECT_EQ(commands_, (std::vector<std::string>{"deploy green 2", "stop green 2"}));
  EXPECT_EQ(store_->ListIncidents(0)->size(), 1u);
}

TEST_F(DeployerSlotsTest, RollbackThatCannotMoveTrafficStaysActiveUntilAborted) {
  // Everything after the 50% step fails: the promotion, then the rollback's own switch.
  int calls = 0;
  fail_route_ = [&calls](const std::vector<SlotWeight>& ws) {
    ++calls;
    return Shown(ws) != "blue=50 green=50" && calls > 1;
  };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRunning);
  EXPECT_EQ(d.phase, "rollback");
  EXPECT_EQ(d.engine_pid, 0);
  EXPECT_NE(d.reason.find("rollback could not move traffic back"), std::string::npos) << d.reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=50 green=50") << "the split stays recorded";
  // Another deployment is refused; abort (with a working router) finishes the rollback.
  Deployer other(env_, Context());
  EXPECT_FALSE(other.Start({"3", "", "test", ""}).ok());
  fail_route_ = nullptr;
  Deployer aborter(env_, Context());
  auto r = aborter.Abort();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, store::kDeployRolledBack);
  EXPECT_EQ(Shown(routes_.back()), "blue=100");
}

TEST_F(DeployerSlotsTest, WithoutRollbackOnFailureAFailureHoldsTrafficOnStableForAPerson) {
  fail_route_ = [](const std::vector<SlotWeight>& ws) {
    for (const auto& w : ws) {
      if (w.slot == "green" && w.weight == 100) return true;
    }
    return false;
  };
  // The stage says false (the environment's default is true): recorded with the
  // deployment, so the promote below (another Deployer) keeps it.
  store::DeploymentRecord d;
  {
    Deployer deployer(env_, Context());
    auto r = deployer.Start({"2", "", "test", "c-2", /*rollback_on_failure=*/false});
    ASSERT_TRUE(r.ok()) << r.error().message;
    d = *r;
  }
  EXPECT_EQ(d.state, store::kDeployPaused);
  EXPECT_EQ(d.engine_pid, 0);
  EXPECT_NE(d.reason.find("promotion: router refused"), std::string::npos) << d.reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=100") << "traffic back on stable while held";
  EXPECT_EQ(d.weight, 0);
  EXPECT_TRUE(std::find(commands_.begin(), commands_.end(), "stop green 2") == commands_.end())
      << "the failing slot is kept for inspection";
  EXPECT_TRUE(store_->ListIncidents(0)->empty());

  // Promoted while the router still refuses: held again, not rolled back.
  auto again = Deployer(env_, Context()).Promote();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->state, store::kDeployPaused) << again->reason;
  // Fixed: promote retries the promotion.
  fail_route_ = nullptr;
  auto done = Deployer(env_, Context()).Promote();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->state, store::kDeploySucceeded) << done->reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=0 green=100");
}

TEST_F(DeployerSlotsTest, WithRollbackOnFailureTheSameFailureRollsBack) {
  env_.rollback_on_failure = true;
  fail_route_ = [](const std::vector<SlotWeight>& ws) { return Shown(ws) == "blue=50 green=50"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack) << d.reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=100");
  EXPECT_EQ(commands_.back(), "stop green 2");
  EXPECT_EQ(store_->ListIncidents(0)->size(), 1u);
}

TEST_F(DeployerSlotsTest, InterruptedMidCanaryMovesTrafficBackAndRollsBack) {
  // The signal arrives once the 50% step's weights are applied.
  interrupted_ = [this] { return !routes_.empty() && Shown(routes_.back()) == "blue=50 green=50"; };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack);
  EXPECT_NE(d.reason.find("interrupted by a signal in phase step"), std::string::npos) << d.reason;
  EXPECT_EQ(Shown(routes_.back()), "blue=100");
  EXPECT_EQ(commands_.back(), "stop green 2");
  EXPECT_TRUE(store_->ListIncidents(0)->empty()) << "a person's Ctrl-C is no incident";
  EXPECT_EQ((*store_->GetStable("prod"))->version, "1");
}

TEST_F(DeployerSlotsTest, ManualRollbackSwitchesToTheSlotStillRunningTheOldRelease) {
  env_.stop.clear();  // without a stop command the old slot keeps running
  ASSERT_EQ(Deploy("2").state, store::kDeploySucceeded);
  commands_.clear();
  Deployer d(env_, Context());
  auto r = d.Rollback("", "test");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, store::kDeploySucceeded);
  EXPECT_EQ(r->version, "1");
  EXPECT_TRUE(commands_.empty()) << "no redeploy: blue still runs 1";
  EXPECT_EQ(Shown(routes_.back()), "green=0 blue=100");
  auto incidents = store_->ListIncidents(0);
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].version, "2");
  EXPECT_EQ((*incidents)[0].git_commit, "c-2");
  // Only a known-good release can be named.
  auto again = Deployer(env_, Context()).Rollback("7", "test");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("never deployed successfully"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::deploy
