#include "insight/report_text.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <string>

#include "core/duration.h"
#include "insight/report_json.h"

namespace gauntlet::insight {
namespace {

std::string Ms(const std::optional<int64_t>& ms) { return ms ? HumanDuration(*ms) : "-"; }

std::string Pct(const std::optional<double>& rate) {
  return rate ? fmt::format("{:.1f}%", 100.0 * *rate) : "-";
}

std::string Trend(const std::optional<double>& t) {
  return t ? fmt::format("{:+.1f}%", 100.0 * *t) : "-";
}

void PipelineHeader(const PipelineStats& p, std::string* out) {
  *out += fmt::format("pipeline {}: {} runs, {} succeeded ({}), {} failed\n", p.name, p.runs,
                      p.succeeded, Pct(p.success_rate()), p.failed);
  *out += fmt::format(
      "  duration (successful runs): p50 {}  p95 {}  p99 {}  (previous window: p50 {}, change "
      "{})\n",
      Ms(p.duration.p50), Ms(p.duration.p95), Ms(p.duration.p99), Ms(p.previous_p50_ms),
      Trend(p.trend()));
  *out += fmt::format(
      "  slots {}; jobs at once p50 {}, max {}; all slots busy in {} runs; slot wait per run p50 "
      "{}\n",
      p.slots > 0 ? std::to_string(p.slots) : "-", p.peak.p50 ? std::to_string(*p.peak.p50) : "-",
      p.peak.max ? std::to_string(*p.peak.max) : "-", p.saturated_runs, Ms(p.wait_per_run.p50));
}

void CriticalPathText(const PipelineStats& p, std::string* out) {
  if (!p.critical_path) return;
  const CriticalPathReport& c = *p.critical_path;
  *out += fmt::format("  critical path of the median run {} ({}): {} along it\n", c.run,
                      HumanDuration(c.run_duration_ms), HumanDuration(c.length_ms));
  for (const PathJob& j : c.jobs) {
    *out += fmt::format("    {:<24} {:>8}   saves {} if it took 0, {} if halved\n", j.name,
                        HumanDuration(j.duration_ms), HumanDuration(j.shrink_if_zero_ms),
                        HumanDuration(j.shrink_if_halved_ms));
  }
}

void JobTable(const PipelineStats& p, std::string* out) {
  size_t w = 4;
  for (const JobStats& j : p.jobs) w = std::max(w, j.name.size());
  *out += fmt::format(
      "  {:<{}}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  {:>8}  {:>6}  {:>7}  {:>4}\n", "JOB", w,
      "RUNS", "OK", "P50", "P95", "P99", "TREND", "WAIT", "CACHE", "RETRIES", "CRIT");
  for (const JobStats& j : p.jobs) {
    *out += fmt::format(
        "  {:<{}}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  {:>8}  {:>6}  {:>7}  {:>4}\n", j.name,
        w, j.runs, Pct(j.success_rate()), Ms(j.duration.p50), Ms(j.duration.p95),
        Ms(j.duration.p99), Trend(j.trend()), Ms(j.wait_mean_ms()), Pct(j.cache_hit_rate()),
        j.retries, j.critical_runs);
  }
}

void FlakyText(const Report& r, std::string* out) {
  if (r.flaky.empty()) {
    *out += "flaky jobs: none\n";
    return;
  }
  *out += "flaky jobs (worst first):\n";
  for (const FlakyJob& f : r.flaky) {
    *out += fmt::format(
        "  {} / {}: {} of {} executions ({:.1f}%): {} passed only on a retry, {} failed where "
        "the same inputs passed; {} retries, {}\n",
        f.pipeline, f.job, f.flaky(), f.executions, 100.0 * f.rate(), f.passed_on_retry,
        f.failed_on_passing_inputs, f.retries, HumanDuration(f.cost_ms));
  }
}

void AdviceText(const Report& r, std::string* out) {
  if (r.advice.empty()) {
    *out += "advice: none\n";
    return;
  }
  *out += "advice (largest saving first):\n";
  int n = 0;
  for (const Advice& a : r.advice) {
    *out += fmt::format("  {}. [{}] {}{}: {}\n     saves {} per run, {} over the window\n", ++n,
                        a.kind, a.pipeline, a.job.empty() ? "" : " / " + a.job, a.message,
                        HumanDuration(a.saving_ms_per_run), HumanDuration(a.saving_ms_window));
  }
}

std::string Banded(const std::string& value, const std::string& band) {
  return band.empty() ? value : value + " (" + band + ")";
}

void DoraText(const Report& r, std::string* out) {
  if (r.dora.empty()) {
    *out += "DORA: no deployment finished in the window\n";
    return;
  }
  *out += fmt::format("DORA (bands: {}):\n", kDoraBandsSource);
  for (const DoraEnvironment& e : r.dora) {
    *out += fmt::format("  {}: {} deployments, {} succeeded\n", e.environment, e.deployments,
                        e.succeeded);
    *out += fmt::format("    deployment frequency  {}\n",
                        Banded(fmt::format("{:.2f}/day", e.per_day), e.frequency_band));
    *out += fmt::format("    lead time (median)    {}  ({} deployments with a commit time)\n",
                        Banded(Ms(e.lead_time_ms), e.lead_time_band), e.lead_time_samples);
    *out += fmt::format("    change failure rate   {}  ({} of {})\n",
                        Banded(Pct(e.change_failure_rate), e.change_failure_band), e.failed_changes,
                        e.deployments);
    *out += fmt::format("    time to restore       {}  ({} restores{})\n",
                        Banded(Ms(e.time_to_restore_ms), e.time_to_restore_band), e.restores,
                        e.unrestored > 0 ? ", failing now" : "");
    if (e.observed_p50_ms) {
      *out += fmt::format(
          "    observed (#{})       p50 {:.3f} ms, p95 {:.3f} ms, p99 {:.3f} ms, errors {}\n",
          e.latest_deployment, *e.observed_p50_ms, e.observed_p95_ms.value_or(0),
          e.observed_p99_ms.value_or(0), Pct(e.observed_error_rate));
    }
  }
}

}  // namespace

std::string ReportText(const Report& r) {
  std::string out = fmt::format("insight over the last {}: {} runs and {} job rows read", r.since,
                                r.runs_read, r.jobs_read);
  if (r.pipeline) out += ", pipeline " + *r.pipeline;
  if (r.branch) out += ", branch " + *r.branch;
  out += " (percentiles: nearest rank)\n\n";
  if (r.pipelines.empty()) out += "no runs in the window\n\n";
  for (const PipelineStats& p : r.pipelines) {
    PipelineHeader(p, &out);
    CriticalPathText(p, &out);
    JobTable(p, &out);
    out += "\n";
  }
  FlakyText(r, &out);
  out += "\n";
  AdviceText(r, &out);
  out += "\n";
  DoraText(r, &out);
  return out;
}

}  // namespace gauntlet::insight
