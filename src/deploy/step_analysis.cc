// DeploymentRun::Analyse: gauntlet's probe on both slots plus the query metrics, window
// by window, counted by AnalysisTally (analysis.h).
#include <fmt/core.h>

#include <algorithm>

#include "deploy/deployment_run.h"
#include "deploy/probe.h"
#include "deploy/prometheus.h"
#include "deploy/web_metric.h"

namespace gauntlet::deploy {

// The probe on both slots plus the query metrics, for `total`: the analysis's end.
AnalysisPhase DeploymentRun::Analyse(Duration total) {
  const spec::Instance* target = Instance(d_.target_slot);
  const spec::Instance* stable = Instance(d_.stable_slot);
  AnalysisTally tally(env_.analysis);
  auto record = [&](const Measurement& m) {
    Event("verdict", m.detail, VerdictName(m.verdict), ToJson(m).dump());
    Print(fmt::format("  {} {}: {}", m.metric, VerdictName(m.verdict), m.detail));
    return tally.Add(m);
  };
  // Windows of `interval` (the last one shorter) that add up to `total`; counted rather
  // than timed so the probe's own duration decides the pace.
  const Duration full = std::max(env_.analysis.interval, Duration(std::chrono::milliseconds(200)));
  const int64_t windows = std::max<int64_t>(1, (total.count() + full.count() - 1) / full.count());
  for (int64_t i = 0; i < windows; ++i) {
    if (Interrupted()) return AnalysisPhase::kRunning;  // the caller rolls back
    Duration window = i + 1 < windows ? full : total - full * i;
    if (window <= Duration(0)) break;
    AnalysisPhase phase = AnalysisPhase::kRunning;
    if (target && stable) {
      ProbeOptions po;
      po.rate_per_second = ctx_.probe_rate;
      po.window = window;
      po.timeout = std::min(Duration(std::chrono::seconds(5)),
                            std::max(window, Duration(std::chrono::seconds(1))));
      auto stats =
          RunProbe({"http://" + target->address + "/", "http://" + stable->address + "/"}, po);
      if (!stats.ok()) {
        Measurement m;
        m.metric = "probe";
        m.provider = "probe";
        m.verdict = Verdict::kError;
        m.window = window;
        m.detail = stats.error().message;
        phase = record(m);
      } else {
        phase = record(JudgeErrorRate((*stats)[0], (*stats)[1], env_.analysis));
        if (phase == AnalysisPhase::kRunning)
          phase = record(JudgeP99((*stats)[0], (*stats)[1], env_.analysis));
      }
    } else {
      ctx_.clock->SleepFor(window);
    }
    for (const spec::MetricQuery& q : env_.analysis.metrics) {
      if (phase != AnalysisPhase::kRunning || q.provider == "probe") continue;
      MetricSample sample = q.provider == "prometheus"
                                ? QueryPrometheus(env_.analysis.prometheus_url, q.query, window)
                                : QueryWeb(q.query, q.json_path, window);
      phase = record(JudgeQuery(q, sample, window));
    }
    if (phase != AnalysisPhase::kRunning) return phase;
  }
  return tally.Finish();
}

}  // namespace gauntlet::deploy
