// Canary steps as Argo users write them, the bake after promotion, the scale-down under
// the lock, and rolling with analysis: the deployment state machine against real
// gauntlet-testapp backends (for the probe), with one ordered log (deployer_fixture.h).
#include <gtest/gtest.h>

#include <set>

#include "deploy/deployer.h"
#include "deploy/deployer_fixture.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using testing::DeployerSlotsTest;
using testing::DeployerTest;
using testing::Shown;

spec::CanaryStep Weight(int w) {
  spec::CanaryStep s;
  s.weight = w;
  return s;
}
spec::CanaryStep PauseFor(Duration d) {
  spec::CanaryStep s;
  s.pause = d;
  return s;
}
spec::CanaryStep PauseUntilPromoted() {
  spec::CanaryStep s;
  s.pause_until_promoted = true;
  return s;
}

TEST_F(DeployerSlotsTest, StepsMixWeightsPausesAndAnIndefinitePause) {
  spec::CanaryStep analysis;
  analysis.analysis = env_.analysis;
  analysis.analysis->max_error_ratio = 1;
  analysis.analysis_duration = milliseconds(200);
  env_.steps = {Weight(10), PauseFor(milliseconds(200)), Weight(30), PauseUntilPromoted(), analysis,
                Weight(100)};
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeployPaused) << d.reason;
  EXPECT_EQ(d.phase, "step");
  EXPECT_EQ(d.step, 3) << "the fourth entry";
  EXPECT_EQ(d.weight, 30) << "traffic stays where the steps put it";
  EXPECT_NE(d.reason.find("step 4/6 pauses until promoted, 30% on green"), std::string::npos)
      << d.reason;
  EXPECT_NE(printed_.find("step 1/6: 10% (green)"), std::string::npos) << printed_;
  EXPECT_NE(printed_.find("step 2/6: pause 200ms (green)"), std::string::npos) << printed_;
  EXPECT_EQ(Shown(routes_.back()), "blue=70 green=30");
  // Watched: the analysis before traffic and the pause at 10%; weight entries do not wait.
  auto events = store_->GetDeploymentEvents(d.id);
  ASSERT_TRUE(events.ok());
  std::set<int> watched;
  for (const auto& e : *events)
    if (e.kind == "verdict") watched.insert(e.weight);
  EXPECT_EQ(watched, (std::set<int>{0, 10}));

  // A person promotes: the analysis entry runs at 30%, then the promotion.
  Forget();
  auto promoted = Deployer(env_, Context()).Promote();
  ASSERT_TRUE(promoted.ok()) << promoted.error().message;
  EXPECT_EQ(promoted->state, store::kDeploySucceeded) << promoted->reason;
  EXPECT_EQ(log_.front(), "health green 2") << "no weight change before the promotion\n" << Log();
  EXPECT_EQ(Shown(routes_.front()), "blue=0 green=100");
  events = store_->GetDeploymentEvents(d.id);
  // The last verdict at 30% comes before traffic moves to 100%.
  int last_at_30 = 0, to_100 = 0;
  for (const auto& e : *events) {
    if (e.kind == "verdict" && e.weight == 30) last_at_30 = e.seq;
    if (e.kind == "traffic" && e.weight == 100 && to_100 == 0) to_100 = e.seq;
  }
  EXPECT_GT(last_at_30, 0) << "the analysis entry ran at 30%";
  EXPECT_GT(to_100, 0) << "traffic moved to 100%";
  EXPECT_LT(last_at_30, to_100) << "the analysis at 30% judged before the promotion";
}

TEST_F(DeployerSlotsTest, AVersionThatTurnsBadInTheBakeIsRolledBack) {
  // Good for the analysis before traffic (100 probe requests), then half its answers fail.
  ASSERT_NO_FATAL_FAILURE(Green({"--version", "2", "--error-rate", "0.5", "--fail-after", "100"}));
  env_.steps = spec::WeightSteps({100});
  env_.bake = milliseconds(400);
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack) << d.reason << "\n" << Log();
  EXPECT_NE(d.reason.find("in the bake at 100%"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("error_rate"), std::string::npos) << d.reason;
  int promoted = At("route blue=0 green=100");
  ASSERT_GT(promoted, 0) << Log();
  int back = At("route blue=100", promoted);
  ASSERT_GT(back, promoted) << Log();
  EXPECT_EQ(log_[back + 1], "drain");
  EXPECT_EQ(log_[back + 2], "stop green 2");
  EXPECT_EQ(At("stop blue 1"), -1) << "the old slot was kept ready: it serves again";
  EXPECT_EQ((*store_->GetStable("prod"))->version, "1") << "stable only after a clean bake";
  EXPECT_EQ(store_->ListIncidents(0)->size(), 1u);
}

TEST_F(DeployerSlotsTest, ACleanBakeEndsInSuccessThenTheScaleDown) {
  env_.steps = spec::WeightSteps({100});
  env_.bake = milliseconds(400);
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  auto events = store_->GetDeploymentEvents(d.id);
  std::vector<std::string> phases;
  for (const auto& e : *events)
    if (e.kind == "phase") phases.push_back(e.detail.substr(0, e.detail.find(' ')));
  EXPECT_EQ(phases,
            (std::vector<std::string>{"pre_deploy", "deploy", "health", "analysis", "promote",
                                      "bake", "post_deploy", "scale_down", "stop_old"}));
  ASSERT_NE(At("route blue=0 green=100"), -1) << Log();
  EXPECT_GT(At("stop blue 1"), At("route blue=0 green=100")) << Log();
}

// The scale-down says what it keeps the old slot for, counts down every 5 s (on the fake
// clock), and only then drains and stops the old slot.
TEST_F(DeployerSlotsTest, TheScaleDownCountsDownThenDrainsAndStops) {
  env_.scale_down_delay = milliseconds(12000);
  env_.steps = spec::WeightSteps({100});
  const Duration before = clock_.Elapsed();
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  const size_t kept = printed_.find(
      "scale-down: blue (1) kept for 12s for an instant `gauntlet rollback prod`, then stopped");
  const size_t ten = printed_.find("scale-down: stopping blue in 10s");
  const size_t five = printed_.find("scale-down: stopping blue in 5s");
  ASSERT_NE(kept, std::string::npos) << printed_;
  ASSERT_NE(ten, std::string::npos) << printed_;
  ASSERT_NE(five, std::string::npos) << printed_;
  EXPECT_LT(kept, ten);
  EXPECT_LT(ten, five);
  for (const char* off_beat : {"in 12s", "in 11s", "in 9s", "in 6s", "in 4s", "in 1s", "in 0s"})
    EXPECT_EQ(printed_.find(std::string("stopping blue ") + off_beat), std::string::npos)
        << off_beat << "\n" << printed_;
  EXPECT_GE(clock_.Elapsed() - before, milliseconds(12000)) << "the delay was waited out";
  const int switched = At("route blue=0 green=100");
  ASSERT_NE(switched, -1) << Log();
  EXPECT_EQ(std::vector<std::string>(log_.begin() + switched, log_.end()),
            (std::vector<std::string>{"route blue=0 green=100", "drain", "stop blue 1"}))
      << Log();
}

// An engine killed during its scale-down: `abort` is refused (the release is out), and
// `deploy --resume` waits only what is left of the delay, then drains and stops the old
// slot (docs/deploy.md, "The scale-down and the lock").
TEST_F(DeployerSlotsTest, AResumedScaleDownWaitsWhatIsLeftThenStopsTheOldSlot) {
  struct Killed {};
  env_.scale_down_delay = milliseconds(10000);
  env_.drain = milliseconds(0);  // the clock then measures the scale-down wait alone
  env_.steps = spec::WeightSteps({100});
  WhenScalingDown([&] {
    auto active = store_->ActiveDeployment("prod");
    ASSERT_TRUE(active.ok() && *active);
    store::DeploymentRecord gone = **active;
    gone.engine_pid = 0;  // its engine is gone, as after a kill -9
    ASSERT_TRUE(store_->UpdateDeployment(gone).ok());
    throw Killed{};
  });
  EXPECT_THROW(Deployer(env_, Context()).Start({"2", "", "test", "c-2"}), Killed);
  // 7 of its 10 s pass: the 1 s tick the first engine slept before it died, and 6 s
  // with no engine (the wall clock alone moves).
  clock_.wall_offset_ms += 6000;
  Forget();
  auto aborted = Deployer(env_, Context()).Abort();
  ASSERT_FALSE(aborted.ok());
  EXPECT_NE(aborted.error().message.find("only its scale-down was interrupted"),
            std::string::npos)
      << aborted.error().message;
  const Duration before = clock_.Elapsed();
  auto resumed = Deployer(env_, Context()).Resume();
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->state, store::kDeploySucceeded) << resumed->reason;
  const Duration waited = clock_.Elapsed() - before;
  EXPECT_GT(waited, milliseconds(2500)) << "the 3 s left were waited";
  EXPECT_LE(waited, milliseconds(3000)) << "not the whole delay again";
  EXPECT_EQ(log_, (std::vector<std::string>{"drain", "stop blue 1"})) << Log();
  EXPECT_EQ((*store_->GetStable("prod"))->version, "2");
}

// The lock covers the scale-down: a deploy arriving meanwhile waits (and is refused when
// the wait would outlast any scale-down), and never disturbs it.
TEST_F(DeployerSlotsTest, ASecondDeployDuringTheScaleDownWaitsWithoutDisturbingIt) {
  env_.scale_down_delay = milliseconds(5000);
  env_.drain_timeout = milliseconds(1000);
  env_.steps = spec::WeightSteps({100});
  Result<store::DeploymentRecord> second = Error{"not started"};
  WhenScalingDown([&] {
    DeployContext ctx = Context();
    ctx.command_timeout = milliseconds(1000);  // bounds the wait: single-threaded, it times out
    second = Deployer(env_, ctx).Start({"3", "", "test", "c-3"});
  });
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  ASSERT_FALSE(second.ok()) << "the holder cannot finish while this thread waits for it";
  EXPECT_NE(second.error().message.find("is in progress"), std::string::npos)
      << second.error().message;
  EXPECT_NE(printed_.find("waiting for deployment 2 of prod (2) to finish scaling down slot blue"),
            std::string::npos)
      << printed_;
  EXPECT_NE(At("stop blue 1"), -1) << "the first one's scale-down went on\n" << Log();
  EXPECT_EQ(At("deploy blue 3"), -1) << Log();
  EXPECT_TRUE(store_->ListIncidents(0)->empty());
}

// The documented instant rollback inside the scale-down window: the rollback preempts
// the wait, switches back to the old slot (still running), and the first deployment
// does not stop it afterwards.
TEST_F(DeployerSlotsTest, ARollbackDuringTheScaleDownPreemptsItAndKeepsTheOldSlot) {
  env_.scale_down_delay = milliseconds(5000);
  env_.steps = spec::WeightSteps({100});
  Result<store::DeploymentRecord> rollback = Error{"not started"};
  WhenScalingDown([&] { rollback = Deployer(env_, Context()).Rollback("", "test"); });
  store::DeploymentRecord d = Deploy("2");
  ASSERT_TRUE(rollback.ok()) << rollback.error().message;
  EXPECT_EQ(rollback->state, store::kDeploySucceeded) << rollback->reason << "\n" << Log();
  EXPECT_EQ(d.state, store::kDeploySucceeded);
  EXPECT_NE(d.reason.find("rolled prod back to 1 during the scale-down"), std::string::npos)
      << d.reason;
  int back = At("route green=0 blue=100");
  ASSERT_GT(back, At("route blue=0 green=100")) << Log();
  EXPECT_EQ(At("deploy blue 1"), -1) << "blue still runs 1: no redeploy";
  EXPECT_EQ(At("drain", back), back + 1) << Log();
  EXPECT_EQ(At("stop green 2", back), back + 2) << Log();
  EXPECT_EQ(At("stop blue 1"), -1) << "the preempted scale-down must not stop the slot\n" << Log();
  EXPECT_EQ((*store_->GetStable("prod"))->slot, "blue");
  EXPECT_EQ(store_->ListIncidents(0)->size(), 1u);
}

// Once the old slot is being stopped (stop_old) a rollback can no longer switch back to
// it: it waits, as a deploy does, instead of preempting (here the wait gives up: this
// thread is the holder's), and the stop goes on.
TEST_F(DeployerSlotsTest, ARollbackWhileTheOldSlotIsStoppedWaitsInsteadOfPreempting) {
  env_.steps = spec::WeightSteps({100});
  env_.drain_timeout = milliseconds(1000);
  Result<store::DeploymentRecord> rollback = Error{"not started"};
  clock_.when = [this] {  // the sleep of `drain` before the stop
    auto active = store_->ActiveDeployment("prod");
    return active.ok() && *active && (**active).phase == "stop_old";
  };
  clock_.then = [&] {
    DeployContext ctx = Context();
    ctx.command_timeout = milliseconds(1000);  // bounds the wait
    rollback = Deployer(env_, ctx).Rollback("", "test");
  };
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  EXPECT_EQ(d.reason.find("during the scale-down"), std::string::npos) << "not preempted";
  ASSERT_FALSE(rollback.ok());
  EXPECT_NE(rollback.error().message.find("is in progress"), std::string::npos)
      << rollback.error().message;
  EXPECT_NE(printed_.find("waiting for deployment 2 of prod (2) to finish scaling down slot blue"),
            std::string::npos)
      << printed_;
  EXPECT_NE(At("stop blue 1"), -1) << Log();
  EXPECT_EQ(At("route green=0 blue=100"), -1) << "traffic stayed on 2\n" << Log();
}

// The last moment a rollback can preempt the scale-down: after the wait, right before
// the old slot is claimed for stopping. The claim (a compare-and-set on the phase) is
// what keeps the holder from stopping the slot the rollback just gave the traffic to.
TEST_F(DeployerSlotsTest, APreemptionRightBeforeTheStopWinsOverIt) {
  env_.steps = spec::WeightSteps({100});
  Result<store::DeploymentRecord> rollback = Error{"not started"};
  WhenReadingTheClockIn("scale_down",
                        [&] { rollback = Deployer(env_, Context()).Rollback("", "test"); });
  store::DeploymentRecord d = Deploy("2");
  ASSERT_TRUE(rollback.ok()) << rollback.error().message;
  EXPECT_EQ(rollback->state, store::kDeploySucceeded) << rollback->reason;
  EXPECT_NE(d.reason.find("during the scale-down"), std::string::npos) << d.reason;
  EXPECT_EQ(At("stop blue 1"), -1) << "the preempted holder stopped the slot\n" << Log();
  EXPECT_NE(At("stop green 2"), -1) << Log();
}

// Rolling watches each batch like a canary step: the updated instances against the
// others; a bad version goes back after its first batch, drained before redeploying.
TEST_F(DeployerTest, RollingAnalysesEachBatchAndRollsBackABadOne) {
  testing::Child bad_app, good_app;
  std::string bad = testing::StartTestApp(&bad_app, {"--error-rate", "0.5"});
  std::string good = testing::StartTestApp(&good_app, {});
  ASSERT_FALSE(bad.empty() || good.empty());
  env_.strategy = "rolling";
  env_.instances = {{"a", bad}, {"b", good}};
  env_.pause = milliseconds(400);
  ASSERT_EQ(Deploy("1").state, store::kDeploySucceeded) << "a first deployment is not analysed";
  Forget();
  store::DeploymentRecord d = Deploy("2");
  EXPECT_EQ(d.state, store::kDeployRolledBack) << d.reason;
  EXPECT_NE(d.reason.find("after batch 1/2"), std::string::npos) << d.reason;
  EXPECT_EQ(log_, (std::vector<std::string>{"route a=0 b=1", "drain", "deploy a 2", "health a 2",
                                            "route a=1 b=1", "route a=0 b=1", "drain", "deploy a 1",
                                            "health a 1", "route a=1 b=1"}))
      << Log();
  EXPECT_EQ(store_->ListIncidents(0)->size(), 1u);
}

TEST_F(DeployerTest, RollingWithAGoodVersionWatchesEveryBatch) {
  testing::Child a_app, b_app;
  std::string a = testing::StartTestApp(&a_app, {});
  std::string b = testing::StartTestApp(&b_app, {});
  ASSERT_FALSE(a.empty() || b.empty());
  env_.strategy = "rolling";
  env_.instances = {{"a", a}, {"b", b}};
  env_.pause = milliseconds(200);
  ASSERT_EQ(Deploy("1").state, store::kDeploySucceeded);
  store::DeploymentRecord d = Deploy("2");
  ASSERT_EQ(d.state, store::kDeploySucceeded) << d.reason;
  auto events = store_->GetDeploymentEvents(d.id);
  std::vector<std::string> analyses;
  std::vector<int> verdicts;  // per analysis phase: an analysis that judged nothing fails
  for (const auto& e : *events) {
    if (e.kind == "phase") {
      if (e.detail.rfind("analysis", 0) == 0) {
        analyses.push_back(e.detail);
        verdicts.push_back(0);
      } else if (!verdicts.empty()) {
        verdicts.push_back(-1);  // a phase that is not an analysis: verdicts here are not counted
      }
    }
    if (e.kind == "verdict") {
      EXPECT_NE(e.verdict, "fail") << e.detail;
      if (!verdicts.empty() && verdicts.back() >= 0) ++verdicts.back();
    }
  }
  EXPECT_EQ(analyses,
            (std::vector<std::string>{"analysis after batch 1/2", "analysis after batch 2/2"}));
  int judged = 0;
  for (int v : verdicts) judged += v > 0;
  EXPECT_EQ(judged, 2) << "each batch's analysis judged something";
  EXPECT_NE(printed_.find("the limits alone (no instance left on the old version)"),
            std::string::npos)
      << printed_;
}

}  // namespace
}  // namespace gauntlet::deploy
