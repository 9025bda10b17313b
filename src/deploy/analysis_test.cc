#include "deploy/analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gauntlet::deploy {
namespace {

ProbeStats Stats(int requests, int errors, double p99_ms) {
  ProbeStats s;
  s.requests = requests;
  s.errors = errors;
  s.p99_ms = p99_ms;
  s.window = std::chrono::seconds(2);
  return s;
}

ProbeStats Latencies(int requests, int errors, double p50, double p95, double p99) {
  ProbeStats s = Stats(requests, errors, p99);
  s.p50_ms = p50;
  s.p95_ms = p95;
  return s;
}

const Measurement* Find(const std::vector<Measurement>& ms, const std::string& metric) {
  for (const Measurement& m : ms)
    if (m.metric == metric) return &m;
  return nullptr;
}

// Each bound fails only above it (equal passes), on its own percentile; unset bounds are
// not judged at all.
TEST(DeployAnalysisRules, SloBoundsPassAtTheBoundAndFailAboveIt) {
  spec::Slo slo;
  slo.p95_ms = 200;
  slo.error_rate = 0.01;
  struct Row {
    double p95;
    int errors;  // of 1000
    Verdict p95_want, errors_want;
  } rows[] = {
      {199.9, 9, Verdict::kPass, Verdict::kPass},
      {200, 10, Verdict::kPass, Verdict::kPass},     // at the bounds
      {200.1, 11, Verdict::kFail, Verdict::kFail},   // just above each
      {150, 500, Verdict::kPass, Verdict::kFail},
  };
  for (const Row& r : rows) {
    // p50 and p99 far off: only the p95 is held to the p95 bound.
    auto ms = JudgeSlo(Latencies(1000, r.errors, 1, r.p95, 5000), slo);
    ASSERT_EQ(ms.size(), 2u) << "only the bounds set are judged";
    const Measurement* p95 = Find(ms, "slo_p95_ms");
    const Measurement* err = Find(ms, "slo_error_rate");
    ASSERT_TRUE(p95 && err);
    EXPECT_EQ(p95->verdict, r.p95_want) << r.p95;
    EXPECT_EQ(p95->value, r.p95);
    EXPECT_EQ(p95->threshold, 200);
    EXPECT_EQ(err->verdict, r.errors_want) << r.errors;
    EXPECT_DOUBLE_EQ(*err->value, r.errors / 1000.0);
  }
  slo = spec::Slo{};
  slo.p50_ms = 10;
  slo.p99_ms = 100;
  auto ms = JudgeSlo(Latencies(1000, 0, 11, 50, 99), slo);
  EXPECT_EQ(Find(ms, "slo_p50_ms")->verdict, Verdict::kFail);
  EXPECT_EQ(Find(ms, "slo_p99_ms")->verdict, Verdict::kPass);
  EXPECT_EQ(Find(ms, "slo_p95_ms"), nullptr);
  EXPECT_TRUE(JudgeSlo(Latencies(1000, 0, 1, 1, 1), spec::Slo{}).empty());
}

// A percentile from too few requests is not that percentile: inconclusive below
// 100 / (100 - p) samples, judged from there on.
TEST(DeployAnalysisRules, SloPercentilesNeedEnoughRequests) {
  spec::Slo slo;
  slo.p50_ms = 1;
  slo.p95_ms = 1;
  slo.p99_ms = 1;
  slo.error_rate = 0;
  struct Row {
    int requests;
    Verdict p50, p95, p99, errors;
  } rows[] = {
      {0, Verdict::kInconclusive, Verdict::kInconclusive, Verdict::kInconclusive,
       Verdict::kInconclusive},
      {1, Verdict::kInconclusive, Verdict::kInconclusive, Verdict::kInconclusive, Verdict::kPass},
      {2, Verdict::kFail, Verdict::kInconclusive, Verdict::kInconclusive, Verdict::kPass},
      {19, Verdict::kFail, Verdict::kInconclusive, Verdict::kInconclusive, Verdict::kPass},
      {20, Verdict::kFail, Verdict::kFail, Verdict::kInconclusive, Verdict::kPass},
      {99, Verdict::kFail, Verdict::kFail, Verdict::kInconclusive, Verdict::kPass},
      {100, Verdict::kFail, Verdict::kFail, Verdict::kFail, Verdict::kPass},
  };
  for (const Row& r : rows) {
    auto ms = JudgeSlo(Latencies(r.requests, 0, 5, 5, 5), slo);
    EXPECT_EQ(Find(ms, "slo_p50_ms")->verdict, r.p50) << r.requests;
    EXPECT_EQ(Find(ms, "slo_p95_ms")->verdict, r.p95) << r.requests;
    EXPECT_EQ(Find(ms, "slo_p99_ms")->verdict, r.p99) << r.requests;
    EXPECT_EQ(Find(ms, "slo_error_rate")->verdict, r.errors) << r.requests;
  }
}

TEST(DeployAnalysisRules, ErrorRateTable) {
  spec::Analysis rules;  // defaults: ratio 2, floor 1%
  struct Row {
    int canary_errors, baseline_errors;  // out of 1000 each
    Verdict want;
    double threshold;
  } rows[] = {
      {0, 0, Verdict::kPass, 0.01},    // 0 vs 0
      {5, 0, Verdict::kPass, 0.01},    // 0.5% vs 0: under the floor
      {10, 0, Verdict::kPass, 0.01},   // exactly the floor: not above
      {11, 0, Verdict::kFail, 0.01},   // above the floor, baseline 0
      {30, 20, Verdict::kPass, 0.04},  // 3% vs 2%: under 2x
      {40, 20, Verdict::kPass, 0.04},  // exactly 2x: not above
      {41, 20, Verdict::kFail, 0.04},  // 4.1% vs 2%: above 2x and the floor
      {9, 4, Verdict::kPass, 0.01},    // above 2x (0.8%) but under the floor
      {11, 4, Verdict::kFail, 0.01},   // above 2x and just above the floor
      {200, 0, Verdict::kFail, 0.01},  // the --error-rate 0.2 version
      {0, 200, Verdict::kPass, 0.4},   // canary better than a bad baseline
  };
  for (const auto& r : rows) {
    ProbeStats baseline = Stats(1000, r.baseline_errors, 1);
    Measurement m = JudgeErrorRate(Stats(1000, r.canary_errors, 1), &baseline, rules);
    EXPECT_EQ(m.verdict, r.want) << r.canary_errors << " vs " << r.baseline_errors;
    EXPECT_DOUBLE_EQ(*m.threshold, r.threshold);
    EXPECT_DOUBLE_EQ(*m.value, r.canary_errors / 1000.0);
    EXPECT_DOUBLE_EQ(*m.baseline, r.baseline_errors / 1000.0);
    EXPECT_EQ(m.window, std::chrono::seconds(2));
  }
  ProbeStats ten = Stats(10, 0, 1);
  EXPECT_EQ(JudgeErrorRate(Stats(0, 0, 0), &ten, rules).verdict, Verdict::kInconclusive);
}

// The configured limits, not the defaults, on both sides of each and at it.
TEST(DeployAnalysisRules, ConfiguredErrorLimits) {
  spec::Analysis rules;
  rules.max_error_ratio = 3;
  rules.error_rate_floor = 0.05;
  ProbeStats baseline = Stats(1000, 20, 1);  // 2%: the limit is max(3 x 2%, 5%) = 6%
  for (auto [errors, want] : {std::pair{59, Verdict::kPass}, std::pair{60, Verdict::kPass},
                              std::pair{61, Verdict::kFail}}) {
    Measurement m = JudgeErrorRate(Stats(1000, errors, 1), &baseline, rules);
    EXPECT_EQ(m.verdict, want) << errors;
    EXPECT_DOUBLE_EQ(*m.threshold, 0.06);
  }
  ProbeStats clean = Stats(1000, 0, 1);  // 0%: the floor decides, 5%
  EXPECT_EQ(JudgeErrorRate(Stats(1000, 50, 1), &clean, rules).verdict, Verdict::kPass);
  EXPECT_EQ(JudgeErrorRate(Stats(1000, 51, 1), &clean, rules).verdict, Verdict::kFail);
}

// The last batch of a rolling deploy has no old instance beside it: the floor alone.
TEST(DeployAnalysisRules, WithoutABaselineTheFloorIsTheLimit) {
  spec::Analysis rules;  // floor 1%
  Measurement at = JudgeErrorRate(Stats(1000, 10, 1), nullptr, rules);
  EXPECT_EQ(at.verdict, Verdict::kPass);
  EXPECT_DOUBLE_EQ(*at.threshold, 0.01);
  EXPECT_FALSE(at.baseline.has_value());
  EXPECT_NE(at.detail.find("no baseline left"), std::string::npos) << at.detail;
  EXPECT_EQ(JudgeErrorRate(Stats(1000, 11, 1), nullptr, rules).verdict, Verdict::kFail);
}

// Fewer than 100 finished requests on either side: the "p99" would be the maximum.
TEST(DeployAnalysisRules, P99FromTooFewSamplesIsInconclusive) {
  spec::Analysis rules;
  const int n = spec::kMinP99Samples;
  EXPECT_EQ(JudgeP99(Stats(n - 1, 0, 500), Stats(n, 0, 1), rules).verdict, Verdict::kInconclusive);
  EXPECT_EQ(JudgeP99(Stats(n, 0, 500), Stats(n - 1, 0, 1), rules).verdict, Verdict::kInconclusive);
  Measurement m = JudgeP99(Stats(n, 0, 500), Stats(n, 0, 1), rules);
  EXPECT_EQ(m.verdict, Verdict::kFail) << "enough samples: judged";
  EXPECT_FALSE(JudgeP99(Stats(n - 1, 0, 500), Stats(n, 0, 1), rules).value.has_value());
}

TEST(DeployAnalysisRules, P99Table) {
  spec::Analysis rules;  // ratio 3
  struct Row {
    double canary, baseline;
    Verdict want;
  } rows[] = {
      {2, 1, Verdict::kPass},      // under the floor, though 2x
      {20, 1, Verdict::kPass},     // 20x but under the 25 ms floor
      {30, 1, Verdict::kFail},     // above the floor and 3x
      {25, 1, Verdict::kPass},     // exactly the floor: not above
      {25.1, 1, Verdict::kFail},   // just above the floor
      {290, 100, Verdict::kPass},  // 2.9x
      {300, 100, Verdict::kPass},  // exactly 3x: not above
      {310, 100, Verdict::kFail},  // 3.1x
      {205, 5, Verdict::kFail},    // the --latency-ms 200 version
  };
  for (const auto& r : rows) {
    Measurement m = JudgeP99(Stats(100, 0, r.canary), Stats(100, 0, r.baseline), rules);
    EXPECT_EQ(m.verdict, r.want) << r.canary << " vs " << r.baseline;
    EXPECT_DOUBLE_EQ(*m.threshold, std::max(3 * r.baseline, kDefaultP99FloorMs));
  }
}

TEST(DeployAnalysisRules, ConfiguredP99Ratio) {
  spec::Analysis rules;
  rules.max_p99_ratio = 1.5;
  EXPECT_EQ(JudgeP99(Stats(100, 0, 149), Stats(100, 0, 100), rules).verdict, Verdict::kPass);
  EXPECT_EQ(JudgeP99(Stats(100, 0, 150), Stats(100, 0, 100), rules).verdict, Verdict::kPass);
  Measurement m = JudgeP99(Stats(100, 0, 151), Stats(100, 0, 100), rules);
  EXPECT_EQ(m.verdict, Verdict::kFail);
  EXPECT_DOUBLE_EQ(*m.threshold, 150);
}

TEST(DeployAnalysisRules, QueryConditionTable) {
  spec::MetricQuery q;
  q.name = "success";
  q.provider = "prometheus";
  q.condition = "result >= 0.99";
  auto judge = [&](MetricSample s) { return JudgeQuery(q, s, std::chrono::seconds(30)); };
  EXPECT_EQ(judge({MetricSample::Kind::kValue, 0.995, ""}).verdict, Verdict::kPass);
  EXPECT_EQ(judge({MetricSample::Kind::kValue, 0.9, ""}).verdict, Verdict::kFail);
  EXPECT_EQ(judge({MetricSample::Kind::kInconclusive, nullptr, "NaN"}).verdict,
            Verdict::kInconclusive);
  EXPECT_EQ(judge({MetricSample::Kind::kError, nullptr, "down"}).verdict, Verdict::kError);
  Measurement m = judge({MetricSample::Kind::kValue, 0.9, ""});
  EXPECT_DOUBLE_EQ(*m.value, 0.9);
  EXPECT_EQ(m.condition, "result >= 0.99");
  q.condition = "result[0] < 5 && result[1] < 5";  // several series
  EXPECT_EQ(judge({MetricSample::Kind::kValue, {1, 2}, ""}).verdict, Verdict::kPass);
  EXPECT_EQ(judge({MetricSample::Kind::kValue, {1, 7}, ""}).verdict, Verdict::kFail);
  q.condition = "result == 'ok'";
  EXPECT_EQ(judge({MetricSample::Kind::kValue, "OK", ""}).verdict, Verdict::kPass);
  q.condition = "result <";  // a broken condition is an error, not a pass
  EXPECT_EQ(judge({MetricSample::Kind::kValue, 1, ""}).verdict, Verdict::kError);
  q.condition = "";
  EXPECT_EQ(judge({MetricSample::Kind::kValue, 1, ""}).verdict, Verdict::kPass);
}

Measurement M(const std::string& metric, Verdict v) {
  Measurement m;
  m.metric = metric;
  m.verdict = v;
  return m;
}

TEST(DeployAnalysisTally, ArgoLimits) {
  using P = AnalysisPhase;
  constexpr auto kP = Verdict::kPass, kF = Verdict::kFail, kI = Verdict::kInconclusive,
                 kE = Verdict::kError;
  struct Row {
    int failure_limit, inconclusive_limit, consecutive_error_limit;
    std::vector<Verdict> verdicts;
    P after_last;  // what Add returned for the last one
    P finished;
  } rows[] = {
      {0, 0, 4, {kP, kP, kP}, P::kRunning, P::kSuccessful},
      {0, 0, 4, {kP, kF}, P::kFailed, P::kFailed},
      {1, 0, 4, {kF, kP}, P::kRunning, P::kSuccessful},  // one failure allowed
      {1, 0, 4, {kF, kP, kF}, P::kFailed, P::kFailed},
      {0, 0, 4, {kI}, P::kInconclusive, P::kInconclusive},
      {0, 2, 4, {kI, kP, kI}, P::kRunning, P::kSuccessful},         // at the limit
      {0, 2, 4, {kI, kI, kI}, P::kInconclusive, P::kInconclusive},  // one over
      {2, 0, 4, {kF, kF}, P::kRunning, P::kSuccessful},             // at the limit
      {2, 0, 4, {kF, kF, kF}, P::kFailed, P::kFailed},              // one over
      {0, 0, 2, {kE, kE}, P::kRunning, P::kSuccessful},
      {0, 0, 2, {kE, kE, kE}, P::kError, P::kError},
      {0, 0, 2, {kE, kE, kP, kE, kE}, P::kRunning, P::kSuccessful},  // streak reset
      {0, 1, 0, {kI, kI, kE}, P::kError, P::kError},                 // Error outranks Inconclusive
      {0, 0, 0, {kE, kF}, P::kFailed, P::kFailed},                   // Failed outranks Error
  };
  for (size_t i = 0; i < std::size(rows); ++i) {
    const auto& r = rows[i];
    spec::Analysis rules;
    rules.failure_limit = r.failure_limit;
    rules.inconclusive_limit = r.inconclusive_limit;
    rules.consecutive_error_limit = r.consecutive_error_limit;
    AnalysisTally tally(rules);
    P last = P::kRunning;
    for (Verdict v : r.verdicts) last = tally.Add(M("error_rate", v));
    EXPECT_EQ(last, r.after_last) << "row " << i;
    EXPECT_EQ(tally.Finish(), r.finished) << "row " << i;
  }
}

TEST(DeployAnalysisTally, LimitsArePerMetricAndWorstWins) {
  spec::Analysis rules;
  rules.failure_limit = 1;
  AnalysisTally tally(rules);
  EXPECT_EQ(tally.Add(M("error_rate", Verdict::kFail)), AnalysisPhase::kRunning);
  EXPECT_EQ(tally.Add(M("p99_latency_ms", Verdict::kFail)), AnalysisPhase::kRunning);
  EXPECT_EQ(tally.Add(M("p99_latency_ms", Verdict::kFail)), AnalysisPhase::kFailed);
  EXPECT_EQ(tally.counts().at("error_rate").failed, 1);
  EXPECT_EQ(AnalysisTally(rules).Finish(), AnalysisPhase::kInconclusive);  // nothing measured
}

TEST(DeployMeasurement, JsonRoundTripWithNonFiniteValues) {
  Measurement m;
  m.metric = "error_rate";
  m.provider = "probe";
  m.verdict = Verdict::kFail;
  m.value = 0.2;
  m.baseline = std::numeric_limits<double>::quiet_NaN();
  m.threshold = std::numeric_limits<double>::infinity();
  m.window = std::chrono::milliseconds(1500);
  m.detail = "canary 20.00%";
  nlohmann::json j = ToJson(m);
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["baseline"], "NaN");
  EXPECT_EQ(j["threshold"], "+Inf");
  EXPECT_EQ(j["window_ms"], 1500);
  EXPECT_FALSE(j.contains("condition"));
  auto back = MeasurementFromJson(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->metric, "error_rate");
  EXPECT_EQ(back->verdict, Verdict::kFail);
  EXPECT_DOUBLE_EQ(*back->value, 0.2);
  EXPECT_TRUE(std::isnan(*back->baseline));
  EXPECT_TRUE(std::isinf(*back->threshold));
  EXPECT_EQ(back->window, std::chrono::milliseconds(1500));
  EXPECT_EQ(back->detail, "canary 20.00%");
  EXPECT_FALSE(MeasurementFromJson({{"verdict", "maybe"}}));
  EXPECT_FALSE(MeasurementFromJson({{"verdict", "pass"}, {"value", true}}));
}

}  // namespace
}  // namespace gauntlet::deploy
