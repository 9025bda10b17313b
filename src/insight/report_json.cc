#include "insight/report_json.h"

#include <optional>
#include <string>

namespace gauntlet::insight {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json PercentilesJson(const Percentiles& p) {
  return {{"count", p.count},     {"p50", OrNull(p.p50)}, {"p95", OrNull(p.p95)},
          {"p99", OrNull(p.p99)}, {"max", OrNull(p.max)}, {"sampled", p.sampled}};
}

json JobJson(const JobStats& j) {
  return {
      {"name", j.name},
      {"runs", j.runs},
      {"succeeded", j.succeeded},
      {"failed", j.failed},
      {"cached", j.cached},
      {"skipped", j.skipped},
      {"cancelled", j.cancelled},
      {"success_rate", OrNull(j.success_rate())},
      {"duration_ms", PercentilesJson(j.duration)},
      {"previous_p50_ms", OrNull(j.previous_p50_ms)},
      {"trend", OrNull(j.trend())},
      {"wait_ms",
       {{"total", j.wait_total_ms}, {"count", j.wait_count}, {"mean", OrNull(j.wait_mean_ms())}}},
      {"cache_hit_rate", OrNull(j.cache_hit_rate())},
      {"retries", j.retries},
      {"critical_runs", j.critical_runs}};
}

json PathJson(const std::optional<CriticalPathReport>& path) {
  if (!path) return nullptr;
  json jobs = json::array();
  for (const PathJob& j : path->jobs) {
    jobs.push_back({{"name", j.name},
                    {"duration_ms", j.duration_ms},
                    {"shrink_if_zero_ms", j.shrink_if_zero_ms},
                    {"shrink_if_halved_ms", j.shrink_if_halved_ms}});
  }
  return {{"run", path->run},
          {"run_duration_ms", path->run_duration_ms},
          {"length_ms", path->length_ms},
          {"jobs", jobs}};
}

json PipelineJson(const PipelineStats& p) {
  json days = json::array();
  for (const DayPoint& d : p.days) {
    days.push_back({{"start_ms", d.start_ms},
                    {"runs", d.runs},
                    {"failed", d.failed},
                    {"p50_ms", OrNull(d.p50_ms)}});
  }
  json jobs = json::array();
  for (const JobStats& j : p.jobs) jobs.push_back(JobJson(j));
  return {{"name", p.name},
          {"runs", p.runs},
          {"succeeded", p.succeeded},
          {"failed", p.failed},
          {"cancelled", p.cancelled},
          {"other", p.other},
          {"success_rate", OrNull(p.success_rate())},
          {"duration_ms", PercentilesJson(p.duration)},
          {"previous_p50_ms", OrNull(p.previous_p50_ms)},
          {"trend", OrNull(p.trend())},
          {"slots", p.slots > 0 ? json(p.slots) : json(nullptr)},
          {"parallelism", PercentilesJson(p.peak)},
          {"saturated_runs", p.saturated_runs},
          {"wait_ms_per_run", PercentilesJson(p.wait_per_run)},
          {"slack_ms", PercentilesJson(p.slack)},
          {"critical_path", PathJson(p.critical_path)},
          {"days", days},
          {"jobs", jobs}};
}

json FlakyJson(const FlakyJob& f) {
  return {{"pipeline", f.pipeline},
          {"job", f.job},
          {"executions", f.executions},
          {"flaky", f.flaky()},
          {"rate", f.rate()},
          {"passed_on_retry", f.passed_on_retry},
          {"failed_on_passing_inputs", f.failed_on_passing_inputs},
          {"retries", f.retries},
          {"cost_ms", f.cost_ms}};
}

json AdviceJson(const Advice& a) {
  return {{"kind", a.kind},
          {"pipeline", a.pipeline},
          {"job", OrNull(a.job)},
          {"message", a.message},
          {"evidence", a.evidence},
          {"saving_ms_per_run", a.saving_ms_per_run},
          {"saving_ms_window", a.saving_ms_window}};
}

json DoraJson(const DoraEnvironment& e) {
  return {{"environment", e.environment},
          {"deployments", e.deployments},
          {"succeeded", e.succeeded},
          {"failed_changes", e.failed_changes},
          {"deployment_frequency", {{"per_day", e.per_day}, {"band", OrNull(e.frequency_band)}}},
          {"lead_time",
           {{"median_ms", OrNull(e.lead_time_ms)},
            {"samples", e.lead_time_samples},
            {"band", OrNull(e.lead_time_band)}}},
          {"change_failure_rate",
           {{"rate", OrNull(e.change_failure_rate)}, {"band", OrNull(e.change_failure_band)}}},
          {"time_to_restore",
           {{"median_ms", OrNull(e.time_to_restore_ms)},
            {"restores", e.restores},
            {"unrestored", e.unrestored},
            {"band", OrNull(e.time_to_restore_band)}}},
          {"latest_deployment",
           {{"id", e.latest_deployment > 0 ? json(e.latest_deployment) : json(nullptr)},
            {"observed",
             {{"p50_ms", OrNull(e.observed_p50_ms)},
              {"p95_ms", OrNull(e.observed_p95_ms)},
              {"p99_ms", OrNull(e.observed_p99_ms)},
              {"error_rate", OrNull(e.observed_error_rate)}}}}}};
}

}  // namespace

json ReportJson(const Report& r) {
  json pipelines = json::array(), flaky = json::array(), advice = json::array(),
       dora = json::array();
  for (const PipelineStats& p : r.pipelines) pipelines.push_back(PipelineJson(p));
  for (const FlakyJob& f : r.flaky) flaky.push_back(FlakyJson(f));
  for (const Advice& a : r.advice) advice.push_back(AdviceJson(a));
  for (const DoraEnvironment& e : r.dora) dora.push_back(DoraJson(e));
  return {{"window",
           {{"since", r.since},
            {"since_ms", r.window.since},
            {"until_ms", r.window.until},
            {"previous_since_ms", r.window.previous_since}}},
          {"filter", {{"pipeline", OrNull(r.pipeline)}, {"branch", OrNull(r.branch)}}},
          {"percentile_method", "nearest-rank"},
          {"read", {{"runs", r.runs_read}, {"jobs", r.jobs_read}}},
          {"pipelines", pipelines},
          {"flaky", flaky},
          {"advice", advice},
          {"dora", dora},
          {"dora_bands", kDoraBandsSource}};
}

}  // namespace gauntlet::insight
