// The two-slot strategies (canary, blue_green) driven against real gauntlet-testapp
// backends for the analysis, a recording router and runner and a fake clock. Order is
// asserted on one log of what the deployment did (deployer_fixture.h).
#include <gtest/gtest.h>

#include "deploy/deployer.h"
#include "deploy/deployer_fixture.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using testing::DeployerSlotsTest;
using testing::Shown;

// The promotion re-checks health right before all traffic moves (docs/deploy.md,
// "promote"): a slot that broke after its analysis never gets the traffic.
TEST_F(DeployerSlotsTest, PromotionReChecksHealthRightBeforeTheSwitch) {
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeploySucceeded) << d.reason << "\n" << Log();
  int promotion = At("route blue=0 green=100");
  ASSERT_GT(promotion, 0) << Log();
  EXPECT_EQ(log_[promotion - 1], "health green 2") << Log();
  ASSERT_NE(At("route blue=100"), -1) << Log();
  EXPECT_LT(At("health green 2"), At("route blue=100")) << "the gate before any traffic too";
  // Then the old slot: drained after the switch, then stopped.
  EXPECT_EQ(At("drain", promotion), promotion + 1) << Log();
  EXPECT_EQ(At("stop blue 1", promotion), promotion + 2) << Log();

  // A slot that turns unhealthy between its analysis and the promotion: rolled back,
  // and all traffic never reaches it.
  Forget();
  int probes = 0;
  fail_command_ = [&probes](const std::string& line) {
    return line == "health blue 3" && ++probes > 1;  // healthy at first, not at promotion
  };
  d = Deploy("3");
  EXPECT_EQ(d.state, store::kDeployRolledBack) << Log();
  EXPECT_NE(d.reason.find("health check failed"), std::string::npos) << d.reason;
  for (const auto& route : routes_) EXPECT_NE(Shown(route), "green=0 blue=100") << Log();
  EXPECT_EQ(Shown(routes_.back()), "green=100") << Log();
}

// docs/deploy.md, "rollback": weights back to the stable slot first, then the new slot
// stopped. After traffic moved (a step above 0) the order decides whether users fail.
TEST_F(DeployerSlotsTest, RollbackMovesTrafficBackBeforeStoppingTheNewSlot) {
  fail_route_ = [](const std::vector<SlotWeight>& ws) { return Shown(ws) == "blue=0 green=100"; };
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeployRolledBack) << d.reason;
  ExpectTrafficBackBeforeTheStop();
}

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
  ExpectTrafficBackBeforeTheStop();
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

// docs/deploy.md: a held deployment must not keep users on the failing slot; when traffic
// cannot go back to stable, it rolls back instead (and stays active until it can).
TEST_F(DeployerSlotsTest, AHoldThatCannotMoveTrafficBackRollsBackInstead) {
  env_.rollback_on_failure = false;
  bool stepped = false;
  fail_route_ = [&stepped](const std::vector<SlotWeight>& ws) {
    if (Shown(ws) == "blue=50 green=50") stepped = true;
    return stepped && Shown(ws) != "blue=50 green=50";  // nothing moves after the step
  };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRunning) << "never held with users on green";
  EXPECT_EQ(d.engine_pid, 0);
  EXPECT_EQ(Shown(routes_.back()), "blue=50 green=50") << "the split stays recorded";
  EXPECT_EQ(d.phase, "rollback");
  EXPECT_NE(d.reason.find("rollback could not move traffic back"), std::string::npos) << d.reason;
  EXPECT_EQ(At("stop green 2"), -1) << "not stopped while it has traffic\n" << Log();
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
  ExpectTrafficBackBeforeTheStop();
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
