// DeploymentRun::Watch: gauntlet's probe on the new version against the baseline plus
// the query metrics, window by window, counted by AnalysisTally (analysis.h); and what a
// finished analysis does to the deployment.
#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "deploy/deployment_run.h"
#include "deploy/probe.h"
#include "deploy/prometheus.h"
#include "deploy/web_metric.h"

namespace gauntlet::deploy {
namespace {

std::vector<std::string> Urls(const Group& group, const std::string& path) {
  std::vector<std::string> urls;
  for (const spec::Instance* i : group) urls.push_back("http://" + i->address + path);
  return urls;
}

}  // namespace

AnalysisPhase DeploymentRun::Watch(Duration total, const spec::Analysis& rules, const Group& canary,
                                   const Group& baseline) {
  AnalysisTally tally(rules);
  auto record = [&](const Measurement& m) {
    Event("verdict", m.detail, VerdictName(m.verdict), ToJson(m).dump());
    Print(fmt::format("  {} {}: {}", m.metric, VerdictName(m.verdict), m.detail));
    return tally.Add(m);
  };
  // Whole windows of `interval`, counted rather than timed so the probe's own duration
  // sets the pace; a remainder joins the last one (a short window would gather too few
  // requests for a p99).
  const Duration full = std::max(rules.interval, Duration(std::chrono::milliseconds(200)));
  const int64_t windows = std::max<int64_t>(1, total.count() / full.count());
  for (int64_t i = 0; i < windows; ++i) {
    if (Interrupted()) return AnalysisPhase::kRunning;  // Judge rolls back
    const Duration window = i + 1 < windows ? full : total - full * (windows - 1);
    if (window <= Duration(0)) break;
    AnalysisPhase phase = AnalysisPhase::kRunning;
    if (!canary.empty()) {
      ProbeOptions po;
      po.window = window;
      po.rate_per_second = rules.probe.rate;
      po.requests = rules.probe.requests;
      // A slow answer is latency (the p99 rule), not an error: only one that takes
      // longer than 5 s counts as failed.
      po.timeout = std::chrono::seconds(5);
      std::vector<std::vector<std::string>> groups = {Urls(canary, rules.probe.path)};
      if (!baseline.empty()) groups.push_back(Urls(baseline, rules.probe.path));
      auto stats = RunProbe(groups, po);
      if (!stats.ok()) {
        Measurement m;
        m.metric = "probe";
        m.provider = "probe";
        m.verdict = Verdict::kError;
        m.window = window;
        m.detail = stats.error().message;
        phase = record(m);
      } else {
        const ProbeStats* base = baseline.empty() ? nullptr : &(*stats)[1];
        phase = record(JudgeErrorRate((*stats)[0], base, rules));
        // Latency means something only next to the old version's.
        if (phase == AnalysisPhase::kRunning && base)
          phase = record(JudgeP99((*stats)[0], *base, rules));
        // Every bound of the SLO is judged and recorded, whatever failed before it: the
        // record then says each bound's standing in this window.
        for (const Measurement& m : JudgeSlo((*stats)[0], env_.slo)) {
          const AnalysisPhase p = record(m);
          if (phase == AnalysisPhase::kRunning) phase = p;
        }
        Observe((*stats)[0]);
      }
    } else {
      ctx_.clock->SleepFor(window);
    }
    for (const spec::MetricQuery& q : rules.metrics) {
      if (phase != AnalysisPhase::kRunning || q.provider == "probe") continue;
      MetricSample sample = q.provider == "prometheus"
                                ? QueryPrometheus(rules.prometheus_url, q.query, window)
                                : QueryWeb(q.query, q.json_path, window);
      phase = record(JudgeQuery(q, sample, window));
    }
    if (phase != AnalysisPhase::kRunning) return phase;
  }
  return tally.Finish();
}

void DeploymentRun::Observe(const ProbeStats& canary) {
  observed_ms_.insert(observed_ms_.end(), canary.latencies_ms.begin(), canary.latencies_ms.end());
  d_.observed_requests += canary.requests;
  d_.observed_errors += canary.errors;
  d_.observed_p50_ms = Percentile(&observed_ms_, 50);
  d_.observed_p95_ms = Percentile(&observed_ms_, 95);
  d_.observed_p99_ms = Percentile(&observed_ms_, 99);
  (void)Save();  // a failure is printed; the figures are saved again with the next phase
}

std::optional<Result<store::DeploymentRecord>> DeploymentRun::Judge(AnalysisPhase result,
                                                                    const std::string& where) {
  if (Interrupted()) return RollBackInterrupted();
  Event("analysis", AnalysisPhaseName(result), AnalysisPhaseName(result));
  if (result == AnalysisPhase::kFailed || result == AnalysisPhase::kError)
    return Fail(
        fmt::format("analysis {} {} ({})", AnalysisPhaseName(result), where, LastFailure()));
  if (result == AnalysisPhase::kInconclusive)
    return Pause(fmt::format("analysis inconclusive {}", where));
  return std::nullopt;
}

std::string DeploymentRun::LastFailure() {
  auto events = ctx_.store->GetDeploymentEvents(d_.id);
  if (!events.ok()) return "";
  for (auto it = events->rbegin(); it != events->rend(); ++it) {
    if (it->kind != "verdict" || (it->verdict != "fail" && it->verdict != "error")) continue;
    nlohmann::json m = nlohmann::json::parse(it->json, nullptr, false);
    std::string metric = m.is_object() ? m.value("metric", "") : "";
    return metric.empty() ? it->detail : metric + ": " + it->detail;
  }
  return "";
}

}  // namespace gauntlet::deploy
