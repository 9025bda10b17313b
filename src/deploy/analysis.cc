#include "deploy/analysis.h"

#include <algorithm>
#include <cmath>

#include "spec/expr.h"
#include "spec/expr_value.h"

namespace gauntlet::deploy {
namespace {

std::string Percent(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", r * 100);
  return buf;
}

std::string Ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", v);
  return buf;
}

}  // namespace

Measurement JudgeErrorRate(const ProbeStats& canary, const ProbeStats* baseline,
                           const spec::Analysis& rules) {
  Measurement m;
  m.metric = "error_rate";
  m.provider = "probe";
  m.window = canary.window;
  if (canary.requests == 0 || (baseline && baseline->requests == 0)) {
    m.verdict = Verdict::kInconclusive;
    m.detail = "no requests finished (canary " + std::to_string(canary.requests) +
               (baseline ? ", baseline " + std::to_string(baseline->requests) : "") + ")";
    return m;
  }
  m.value = canary.error_rate();
  if (baseline) m.baseline = baseline->error_rate();
  m.threshold = std::max(rules.max_error_ratio * m.baseline.value_or(0), rules.error_rate_floor);
  m.verdict = *m.value > *m.threshold ? Verdict::kFail : Verdict::kPass;
  m.detail = "canary " + Percent(*m.value) + " of " + std::to_string(canary.requests) +
             " requests failed, " +
             (baseline ? "baseline " + Percent(*m.baseline) : "no baseline left") + ", limit " +
             Percent(*m.threshold);
  return m;
}

Measurement JudgeP99(const ProbeStats& canary, const ProbeStats& baseline,
                     const spec::Analysis& rules, double p99_floor_ms) {
  Measurement m;
  m.metric = "p99_latency_ms";
  m.provider = "probe";
  m.window = canary.window;
  if (canary.requests < spec::kMinP99Samples || baseline.requests < spec::kMinP99Samples) {
    // Nearest rank over fewer samples is just the slowest request: not a p99.
    m.verdict = Verdict::kInconclusive;
    m.detail = "a p99 needs " + std::to_string(spec::kMinP99Samples) +
               " finished requests per target, got " + std::to_string(canary.requests) +
               " (canary) and " + std::to_string(baseline.requests) + " (baseline)";
    return m;
  }
  m.value = canary.p99_ms;
  m.baseline = baseline.p99_ms;
  m.threshold = std::max(rules.max_p99_ratio * *m.baseline, p99_floor_ms);
  m.verdict = *m.value > *m.threshold ? Verdict::kFail : Verdict::kPass;
  m.detail = "canary p99 " + Ms(*m.value) + ", baseline " + Ms(*m.baseline) + ", limit " +
             Ms(*m.threshold);
  return m;
}

std::vector<Measurement> JudgeSlo(const ProbeStats& canary, const spec::Slo& slo) {
  std::vector<Measurement> out;
  auto judge = [&](const char* metric, const std::optional<double>& bound, double value,
                   int min_samples, const std::string& what, bool percent) {
    if (!bound) return;
    Measurement& m = out.emplace_back();
    m.metric = metric;
    m.provider = "probe";
    m.window = canary.window;
    m.threshold = *bound;
    if (canary.requests < min_samples) {
      m.verdict = Verdict::kInconclusive;
      m.detail = what + " needs " + std::to_string(min_samples) + " finished request" +
                 (min_samples == 1 ? "" : "s") + ", got " + std::to_string(canary.requests);
      return;
    }
    m.value = value;
    m.verdict = value > *bound ? Verdict::kFail : Verdict::kPass;
    m.detail = what + " " + (percent ? Percent(value) : Ms(value)) + ", SLO " +
               (percent ? Percent(*bound) : Ms(*bound)) + " (" +
               std::to_string(canary.requests) + " requests)";
  };
  judge("slo_p50_ms", slo.p50_ms, canary.p50_ms, 2, "p50", false);
  judge("slo_p95_ms", slo.p95_ms, canary.p95_ms, 20, "p95", false);
  judge("slo_p99_ms", slo.p99_ms, canary.p99_ms, spec::kMinP99Samples, "p99", false);
  judge("slo_error_rate", slo.error_rate, canary.error_rate(), 1, "error rate", true);
  return out;
}

Measurement JudgeQuery(const spec::MetricQuery& query, const MetricSample& sample,
                       Duration window) {
  Measurement m;
  m.metric = query.name;
  m.provider = query.provider;
  m.condition = query.condition;
  m.window = window;
  m.detail = sample.detail;
  if (sample.result.is_number()) m.value = sample.result.get<double>();
  if (sample.kind == MetricSample::Kind::kError) {
    m.verdict = Verdict::kError;
    return m;
  }
  if (sample.kind == MetricSample::Kind::kInconclusive) {
    m.verdict = Verdict::kInconclusive;
    return m;
  }
  if (query.condition.empty()) {
    m.verdict = Verdict::kPass;
    return m;
  }
  spec::Expr expr;
  spec::ExprError perr;
  if (!spec::Expr::ParseCondition(query.condition, &expr, &perr)) {
    m.verdict = Verdict::kError;
    m.detail = "condition: " + perr.message + " at offset " + std::to_string(perr.offset);
    return m;
  }
  spec::EvalContext ctx;
  ctx.contexts["result"] = sample.result;
  auto ok = spec::EvaluateCondition(expr, ctx);
  if (!ok) {
    m.verdict = Verdict::kError;
    m.detail = "condition: " + ok.error().message;
    return m;
  }
  m.verdict = *ok ? Verdict::kPass : Verdict::kFail;
  m.detail =
      "result " + spec::ToText(sample.result) + (*ok ? " meets " : " fails ") + query.condition;
  return m;
}

const char* AnalysisPhaseName(AnalysisPhase p) {
  switch (p) {
    case AnalysisPhase::kRunning:
      return "running";
    case AnalysisPhase::kSuccessful:
      return "successful";
    case AnalysisPhase::kInconclusive:
      return "inconclusive";
    case AnalysisPhase::kError:
      return "error";
    case AnalysisPhase::kFailed:
      return "failed";
  }
  return "error";
}

AnalysisTally::AnalysisTally(const spec::Analysis& rules) : rules_(rules) {}

AnalysisPhase AnalysisTally::PhaseOf(const Counts& c) const {
  if (c.failed > rules_.failure_limit) return AnalysisPhase::kFailed;
  if (c.consecutive_errors > rules_.consecutive_error_limit) return AnalysisPhase::kError;
  if (c.inconclusive > rules_.inconclusive_limit) return AnalysisPhase::kInconclusive;
  return AnalysisPhase::kRunning;
}

AnalysisPhase AnalysisTally::Current() const {
  AnalysisPhase worst = AnalysisPhase::kRunning;
  for (const auto& [name, c] : counts_) worst = std::max(worst, PhaseOf(c));
  return worst;
}

AnalysisPhase AnalysisTally::Add(const Measurement& m) {
  Counts& c = counts_[m.metric];
  ++c.measurements;
  switch (m.verdict) {
    case Verdict::kPass:
      ++c.passed;
      break;
    case Verdict::kFail:
      ++c.failed;
      break;
    case Verdict::kInconclusive:
      ++c.inconclusive;
      break;
    case Verdict::kError:
      ++c.errors;
      break;
  }
  // Only provider errors in a row count: any real measurement resets the streak.
  c.consecutive_errors = m.verdict == Verdict::kError ? c.consecutive_errors + 1 : 0;
  return Current();
}

AnalysisPhase AnalysisTally::Finish() const {
  if (counts_.empty()) return AnalysisPhase::kInconclusive;
  AnalysisPhase p = Current();
  return p == AnalysisPhase::kRunning ? AnalysisPhase::kSuccessful : p;
}

}  // namespace gauntlet::deploy
