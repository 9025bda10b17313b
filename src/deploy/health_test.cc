#include "deploy/health.h"

#include <gtest/gtest.h>

#include <deque>

#include "deploy/exec_command.h"
#include "deploy/testing.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

spec::HealthCheck Check(int failure_threshold, int success_threshold) {
  spec::HealthCheck c;
  c.type = "http";
  c.initial_delay = seconds(5);
  c.period = seconds(2);
  c.failure_threshold = failure_threshold;
  c.success_threshold = success_threshold;
  return c;
}

// A probe replaying scripted outcomes; each takes `cost` of fake time.
ProbeFn Scripted(std::deque<bool>* outcomes, FakeClock* clock, Duration cost = Duration(0)) {
  return [outcomes, clock, cost] {
    clock->Advance(cost);
    bool ok = outcomes->empty() ? false : outcomes->front();
    if (!outcomes->empty()) outcomes->pop_front();
    return ProbeOutcome{ok, ok ? "ok" : "bad"};
  };
}

TEST(DeployHealthCounter, ThresholdsCountConsecutiveResults) {
  HealthCounter c(Check(3, 2));
  EXPECT_EQ(c.Observe(true), HealthCounter::State::kUnknown);
  EXPECT_EQ(c.Observe(false), HealthCounter::State::kUnknown);  // resets successes
  EXPECT_EQ(c.Observe(true), HealthCounter::State::kUnknown);
  EXPECT_EQ(c.Observe(true), HealthCounter::State::kHealthy);
  EXPECT_EQ(c.Observe(false), HealthCounter::State::kHealthy);  // one failure is not enough
  EXPECT_EQ(c.Observe(false), HealthCounter::State::kHealthy);
  EXPECT_EQ(c.Observe(false), HealthCounter::State::kUnhealthy);
  EXPECT_EQ(c.Observe(true), HealthCounter::State::kUnhealthy);
  EXPECT_EQ(c.Observe(true), HealthCounter::State::kHealthy);
}

TEST(DeployHealthWait, HealthyAfterSuccessThresholdWithInitialDelayAndPeriod) {
  FakeClock clock;
  std::deque<bool> outcomes = {false, true, true};
  auto r = WaitHealthy(Check(3, 2), Scripted(&outcomes, &clock), clock);
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(r.probes, 3);
  // Probes at 5s, 7s, 9s: initial delay then two periods.
  EXPECT_EQ(clock.Elapsed(), seconds(9));
}

TEST(DeployHealthWait, UnhealthyAfterFailureThreshold) {
  FakeClock clock;
  std::deque<bool> outcomes = {false, false, false, true};
  auto r = WaitHealthy(Check(3, 1), Scripted(&outcomes, &clock), clock);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.probes, 3);
  EXPECT_EQ(r.last_detail, "bad");
  EXPECT_EQ(clock.Elapsed(), seconds(9));
}

TEST(DeployHealthWait, PeriodIsStartToStart) {
  FakeClock clock;
  std::deque<bool> outcomes = {false, true};
  auto r = WaitHealthy(Check(3, 1), Scripted(&outcomes, &clock, milliseconds(1500)), clock);
  EXPECT_TRUE(r.healthy);
  // 5s delay, probe (1.5s), wait 0.5s, probe (1.5s): 8.5s.
  EXPECT_EQ(clock.Elapsed(), milliseconds(8500));
}

TEST(DeployHealthWait, FlappingTargetGivesUpAfterMaxProbes) {
  FakeClock clock;
  std::deque<bool> outcomes;
  for (int i = 0; i < 100; ++i) outcomes.push_back(i % 2 == 0);
  auto r = WaitHealthy(Check(2, 2), Scripted(&outcomes, &clock), clock, 7);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.probes, 7);
  EXPECT_NE(r.last_detail.find("did not settle"), std::string::npos);
}

TEST(DeployHealthWait, NoCheckConfiguredIsHealthy) {
  FakeClock clock;
  spec::HealthCheck none;
  auto r = WaitHealthy(none, MakeProbe(none, ExecCommand), clock);
  EXPECT_TRUE(r.healthy);
}

// Real probes against real processes, real time (short periods).
spec::HealthCheck Fast(const std::string& type) {
  spec::HealthCheck c;
  c.type = type;
  c.period = milliseconds(20);
  c.timeout = milliseconds(1000);
  c.failure_threshold = 2;
  c.success_threshold = 1;
  return c;
}

TEST(DeployHealthProbe, HttpAgainstTestApp) {
  testing::Child good, bad;
  std::string good_addr = testing::StartTestApp(&good, {});
  std::string bad_addr = testing::StartTestApp(&bad, {"--unhealthy"});
  ASSERT_FALSE(good_addr.empty());
  ASSERT_FALSE(bad_addr.empty());
  SystemClock clock;
  auto check = Fast("http");
  check.url = "http://" + good_addr + "/health";
  EXPECT_TRUE(WaitHealthy(check, MakeProbe(check, ExecCommand), clock).healthy);
  check.url = "http://" + bad_addr + "/health";
  auto r = WaitHealthy(check, MakeProbe(check, ExecCommand), clock);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.last_detail, "HTTP 503");
  check.expect_status = 503;
  EXPECT_TRUE(WaitHealthy(check, MakeProbe(check, ExecCommand), clock).healthy);
}

TEST(DeployHealthProbe, HttpTimeoutIsAFailure) {
  testing::Child slow;
  std::string addr = testing::StartTestApp(&slow, {"--latency-ms", "2000"});
  ASSERT_FALSE(addr.empty());
  auto check = Fast("http");
  check.url = "http://" + addr + "/";
  check.timeout = milliseconds(100);
  ProbeOutcome o = MakeProbe(check, ExecCommand)();
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.detail.find("timed out"), std::string::npos) << o.detail;
  slow.Stop(SIGKILL);  // do not wait for the in-flight 2 s request
}

TEST(DeployHealthProbe, TcpOpenAndClosedPorts) {
  testing::Child app;
  std::string addr = testing::StartTestApp(&app, {});
  ASSERT_FALSE(addr.empty());
  auto check = Fast("tcp");
  check.address = addr;
  EXPECT_TRUE(MakeProbe(check, ExecCommand)().ok);
  int status = app.Stop();  // SIGTERM: the fixture exits cleanly
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ProbeOutcome o = MakeProbe(check, ExecCommand)();
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.detail.find("refused"), std::string::npos) << o.detail;
  check.address = "no-port";
  EXPECT_FALSE(MakeProbe(check, ExecCommand)().ok);
}

TEST(DeployHealthProbe, CommandExitCodeAndTimeout) {
  auto check = Fast("command");
  check.command = "exit 0";
  EXPECT_TRUE(MakeProbe(check, ExecCommand)().ok);
  check.command = "exit 3";
  ProbeOutcome o = MakeProbe(check, ExecCommand)();
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.detail, "exit 3");
  check.command = "exec tail -f /dev/null";  // never answers
  check.timeout = milliseconds(100);
  o = MakeProbe(check, ExecCommand)();
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.detail, "timed out");
}

}  // namespace
}  // namespace gauntlet::deploy
