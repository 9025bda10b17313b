// Test-only: the deployment state machine with a recording router and command runner,
// a fake clock and a real SQLite store. Everything the deployment does to the world
// lands in one ordered log, so tests assert order, not just content:
//   "deploy green 2"   a deploy command (its first word, the slot, the version)
//   "health green 2"   a `command` health probe
//   "route blue=50 green=50"   a traffic change the router applied
//   "drain"            the router asked to wait for its old connections
//   "stop blue 1"      a stop command
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "deploy/deployer.h"
#include "deploy/testing.h"
#include "store/sqlite_store.h"

namespace gauntlet::deploy::testing {

// "name=weight ..." of one routing, in order.
inline std::string Shown(const std::vector<SlotWeight>& ws) {
  std::string out;
  for (const auto& w : ws)
    out += (out.empty() ? "" : " ") + w.slot + "=" + std::to_string(w.weight);
  return out;
}

inline std::string EnvOf(const CommandRequest& r, const std::string& key) {
  for (const auto& [k, v] : r.env) {
    if (k == key) return v;
  }
  return "";
}

// Records every weight change it applies (unchanged ones are not applied, as nginx
// does not reload for them); fails those `fail` says to.
class FakeRouter : public Router {
 public:
  FakeRouter(std::vector<std::vector<SlotWeight>>* routes, std::vector<std::string>* log,
             std::function<bool(const std::vector<SlotWeight>&)> fail)
      : routes_(routes), log_(log), fail_(std::move(fail)) {}
  Result<bool> SetWeights(const std::vector<SlotWeight>& weights) override {
    if (fail_ && fail_(weights)) return Error{"router refused"};
    if (!routes_->empty() && Shown(routes_->back()) == Shown(weights)) return false;
    routes_->push_back(weights);
    log_->push_back("route " + Shown(weights));
    return true;
  }
  Result<std::string> AwaitOldConnections(Clock&, Duration) override {
    log_->push_back("drain");
    return std::string("old connections closed");
  }

 private:
  std::vector<std::vector<SlotWeight>>* routes_;
  std::vector<std::string>* log_;
  std::function<bool(const std::vector<SlotWeight>&)> fail_;
};

// A fake clock with two hooks: `then` runs once, at the first sleep when `when` holds (a
// second command arriving while the first one waits: a rollback during a scale-down);
// `read_then` runs once, at the first reading of the wall clock when `read_when` holds
// (between two steps that no sleep separates). Each wall-clock reading is 1 ms after the
// last, and `wall_offset_ms` moves the wall clock alone (time passing with no engine).
class HookClock : public FakeClock {
 public:
  void SleepFor(Duration d) override {
    FakeClock::SleepFor(d);
    if (then && (!when || when())) std::exchange(then, nullptr)();
  }
  int64_t UnixMs() override {
    if (read_then && read_when && read_when()) std::exchange(read_then, nullptr)();
    return FakeClock::UnixMs() + wall_offset_ms + ++reads_;
  }
  std::function<bool()> when;
  std::function<void()> then;
  std::function<bool()> read_when;
  std::function<void()> read_then;
  int64_t wall_offset_ms = 0;

 private:
  int64_t reads_ = 0;
};

class DeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    env_.name = "prod";
    env_.deploy = "deploy ${{ slot }} ${{ release.version }}";
    env_.stop = "stop ${{ slot }}";
    env_.health.type = "command";
    env_.health.command = "health ${{ slot }}";
    env_.pause = std::chrono::milliseconds(0);  // rolling: no analysis unless a test wants it
    env_.scale_down_delay = std::chrono::milliseconds(0);
    env_.analysis.pre_traffic = std::chrono::milliseconds(200);
    env_.analysis.interval = std::chrono::milliseconds(200);
    env_.analysis.probe.requests = 100;  // per window: enough for a p99
    env_.analysis.max_p99_ratio = 20;    // latency noise on a loaded machine is not the point
    env_.router = "command";
  }

  DeployContext Context() {
    DeployContext ctx;
    ctx.store = store_.get();
    ctx.clock = &clock_;
    ctx.run = [this](const CommandRequest& r) -> Result<CommandResult> {
      // argv = {/bin/sh, -c, COMMAND, NAME}: record "COMMAND-WORD SLOT VERSION".
      std::string line = r.argv[2].substr(0, r.argv[2].find(' ')) + " " +
                         EnvOf(r, "GAUNTLET_SLOT") + " " + EnvOf(r, "GAUNTLET_RELEASE_VERSION");
      log_.push_back(line);
      if (line.rfind("health", 0) != 0) commands_.push_back(line);
      requests_.push_back(r);
      CommandResult res;
      res.exit_code = fail_command_ && fail_command_(line) ? 1 : 0;
      // A failing command prints its secret, as a careless script would.
      res.output = res.exit_code ? "boom " + EnvOf(r, "DEPLOY_TOKEN") : "";
      return res;
    };
    ctx.secrets = secrets_;
    ctx.interrupted = interrupted_;
    ctx.print = [this](const std::string& line) { printed_ += line + "\n"; };
    ctx.pid = 1;  // init: always alive
    ctx.host = store::HostName();
    ctx.make_router = [this](const spec::Environment&) -> Result<std::unique_ptr<Router>> {
      return std::unique_ptr<Router>(std::make_unique<FakeRouter>(&routes_, &log_, fail_route_));
    };
    return ctx;
  }

  store::DeploymentRecord Deploy(const std::string& version, const std::string& strategy = "") {
    Deployer d(env_, Context());
    auto r = d.Start({version, strategy, "test", "c-" + version});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : store::DeploymentRecord{};
  }

  // Runs `then` once the environment's deployment is waiting out its scale-down.
  void WhenScalingDown(std::function<void()> then) {
    clock_.when = [this] {
      auto active = store_->ActiveDeployment("prod");
      return active.ok() && *active && (**active).phase == "scale_down";
    };
    clock_.then = std::move(then);
  }

  // Runs `then` once, inside the first reading of the wall clock made while the
  // deployment is in `phase`: between two of its steps that no sleep separates.
  void WhenReadingTheClockIn(const std::string& phase, std::function<void()> then) {
    clock_.read_when = [this, phase] {
      auto active = store_->ActiveDeployment("prod");
      return active.ok() && *active && (**active).phase == phase;
    };
    clock_.read_then = std::move(then);
  }

  // Where `entry` first appears in the log at or after `from`; -1 when it does not.
  int At(const std::string& entry, int from = 0) const {
    for (int i = std::max(0, from); i < static_cast<int>(log_.size()); ++i)
      if (log_[i] == entry) return i;
    return -1;
  }
  std::string Log() const {
    std::string out;
    for (const auto& l : log_) out += l + "\n";
    return out;
  }
  void Forget() {
    log_.clear();
    commands_.clear();
    routes_.clear();
    requests_.clear();
  }

  TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  spec::Environment env_;
  HookClock clock_;
  std::vector<std::string> log_;
  std::vector<std::string> commands_;  // deploy and stop commands only
  std::vector<CommandRequest> requests_;
  std::vector<std::vector<SlotWeight>> routes_;
  std::function<bool(const std::string&)> fail_command_;
  std::function<bool(const std::vector<SlotWeight>&)> fail_route_;
  std::vector<std::pair<std::string, std::string>> secrets_;
  std::function<bool()> interrupted_;
  std::string printed_;
};

// Two-slot deployments with analysis: real gauntlet-testapp backends for the probe
// (the fake deploy command starts nothing: the test starts what each slot serves).
class DeployerSlotsTest : public DeployerTest {
 protected:
  void SetUp() override {
    DeployerTest::SetUp();
    blue_ = StartTestApp(&blue_app_, {"--version", "1"});
    green_ = StartTestApp(&green_app_, {"--version", "2"});
    ASSERT_FALSE(blue_.empty());
    ASSERT_FALSE(green_.empty());
    env_.instances = {{"blue", blue_}, {"green", green_}};
    env_.strategy = "canary";
    env_.pause = std::chrono::milliseconds(400);
    env_.steps = spec::WeightSteps({50, 100});
    ASSERT_EQ(Deploy("1").state, store::kDeploySucceeded);  // blue is stable
    Forget();
  }
  // docs/deploy.md, "rollback", after the 50% step moved traffic: the weights go back to
  // blue, the router drains, and only then is green stopped (never while it has users).
  void ExpectTrafficBackBeforeTheStop() {
    const int moved = At("route blue=50 green=50");
    const int back = At("route blue=100", moved);
    ASSERT_GT(moved, -1) << Log();
    ASSERT_GT(back, moved) << Log();
    EXPECT_EQ(At("drain", back), back + 1) << Log();
    EXPECT_EQ(At("stop green 2"), back + 2) << "never stopped while it had traffic\n" << Log();
  }
  // What the green slot serves from now on.
  void Green(const std::vector<std::string>& flags) {
    green_app_.Stop();
    green_ = StartTestApp(&green_app_, flags);
    ASSERT_FALSE(green_.empty());
    env_.instances[1].address = green_;
  }
  Child blue_app_, green_app_;
  std::string blue_, green_;
};

}  // namespace gauntlet::deploy::testing
