// The probe against real testapp processes, end to end through the verdict rules.
#include "deploy/probe.h"

#include <gtest/gtest.h>

#include "deploy/analysis.h"
#include "deploy/testing.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;

TEST(DeployProbe, PercentileNearestRank) {
  std::vector<double> v;
  EXPECT_EQ(Percentile(&v, 99), 0);
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(Percentile(&v, 99), 99);
  EXPECT_EQ(Percentile(&v, 50), 50);
  EXPECT_EQ(Percentile(&v, 100), 100);
  v = {7};
  EXPECT_EQ(Percentile(&v, 99), 7);
}

TEST(DeployProbe, ErrorRateVerdictAgainstRealBackends) {
  testing::Child stable, good, bad;
  std::string s = testing::StartTestApp(&stable, {"--version", "1"});
  std::string g = testing::StartTestApp(&good, {"--version", "2"});
  std::string b = testing::StartTestApp(&bad, {"--version", "3", "--error-rate", "0.2"});
  ASSERT_FALSE(s.empty() || g.empty() || b.empty());
  ProbeOptions opt;
  opt.rate_per_second = 100;
  opt.window = milliseconds(1000);
  auto stats = RunProbe({{"http://" + s + "/"}, {"http://" + g + "/"}, {"http://" + b + "/"}}, opt);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->size(), 3u);
  const ProbeStats &base = (*stats)[0], &good_stats = (*stats)[1], &bad_stats = (*stats)[2];
  EXPECT_EQ(base.requests, 100);
  EXPECT_EQ(bad_stats.requests, 100);
  EXPECT_EQ(base.errors, 0);
  EXPECT_EQ(bad_stats.errors, 20);  // the testapp fails exactly every 5th request
  EXPECT_GE(bad_stats.window, milliseconds(990));

  spec::Analysis rules;
  EXPECT_EQ(JudgeErrorRate(good_stats, &base, rules).verdict, Verdict::kPass);
  // Two equal versions pass on latency. With a 1 s floor: on a loaded machine (a
  // sanitized build next to another test process) a couple of scheduling stalls of tens
  // of milliseconds reach one p99 and not the other; SlowVersionFailsOnP99 covers the
  // comparison itself.
  Measurement p99 = JudgeP99(good_stats, base, rules, /*p99_floor_ms=*/1000);
  EXPECT_EQ(p99.verdict, Verdict::kPass) << p99.detail;
  Measurement m = JudgeErrorRate(bad_stats, &base, rules);
  EXPECT_EQ(m.verdict, Verdict::kFail);
  EXPECT_DOUBLE_EQ(*m.value, 0.2);
  EXPECT_DOUBLE_EQ(*m.threshold, 0.01);
}

TEST(DeployProbe, SlowVersionFailsOnP99) {
  testing::Child stable, slow;
  std::string s = testing::StartTestApp(&stable, {});
  // Slow enough to stand out from a baseline on a loaded machine (whose p99 can reach
  // hundreds of milliseconds under a parallel build): latency, not timing, is the point.
  std::string l = testing::StartTestApp(&slow, {"--latency-ms", "1500"});
  ASSERT_FALSE(s.empty() || l.empty());
  ProbeOptions opt;
  opt.requests = spec::kMinP99Samples;  // enough for a p99, spread over the window
  opt.window = milliseconds(1000);
  auto stats = RunProbe({{"http://" + s + "/"}, {"http://" + l + "/"}}, opt);
  ASSERT_TRUE(stats) << stats.error().message;
  const ProbeStats &base = (*stats)[0], &canary = (*stats)[1];
  // Open loop: the slow target still got every scheduled request.
  EXPECT_EQ(canary.requests, spec::kMinP99Samples);
  EXPECT_EQ(canary.errors, 0);
  EXPECT_GE(canary.p99_ms, 1500);
  spec::Analysis rules;
  Measurement m = JudgeP99(canary, base, rules);
  EXPECT_EQ(m.verdict, Verdict::kFail) << m.detail;
  EXPECT_EQ(JudgeErrorRate(canary, &base, rules).verdict, Verdict::kPass);
}

// A target may be several instances (a rolling batch): its requests go to each in turn,
// and the path is the one configured.
TEST(DeployProbe, AGroupTakesItsRequestsInTurnOnThePath) {
  testing::Child ok, failing, sick;
  std::string a = testing::StartTestApp(&ok, {});
  std::string b = testing::StartTestApp(&failing, {"--error-rate", "1"});
  std::string c = testing::StartTestApp(&sick, {"--unhealthy"});
  ASSERT_FALSE(a.empty() || b.empty() || c.empty());
  ProbeOptions opt;
  opt.requests = 40;
  opt.window = milliseconds(400);
  auto stats =
      RunProbe({{"http://" + a + "/", "http://" + b + "/"}, {"http://" + c + "/health"}}, opt);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ((*stats)[0].requests, 40);
  EXPECT_EQ((*stats)[0].errors, 20) << "every other request went to the failing instance";
  EXPECT_EQ((*stats)[1].requests, 40);
  EXPECT_EQ((*stats)[1].errors, 40) << "GET /health answers 503 there";
}

TEST(DeployProbe, RefusedConnectionsAreErrors) {
  testing::Child gone;
  std::string addr = testing::StartTestApp(&gone, {});
  ASSERT_FALSE(addr.empty());
  gone.Stop();
  ProbeOptions opt;
  opt.rate_per_second = 50;
  opt.window = milliseconds(200);
  auto stats = RunProbe({{"http://" + addr + "/"}}, opt);
  ASSERT_TRUE(stats);
  EXPECT_EQ((*stats)[0].requests, 10);
  EXPECT_EQ((*stats)[0].errors, 10);
}

}  // namespace
}  // namespace gauntlet::deploy
