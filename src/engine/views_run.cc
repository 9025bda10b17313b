#include "engine/views_run.h"

#include <fmt/core.h>
#include <string.h>

#include <optional>

#include "store/store.h"

namespace gauntlet::engine {
namespace {

std::optional<double> Metric(const std::map<std::string, double>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

bool EngineGone(const store::RunRecord& run) {
  return run.status == store::RunStatus::kRunning && run.engine_host == store::HostName() &&
         !store::ProcessAlive(run.engine_pid);
}

std::string_view ShownStatus(const store::RunRecord& run) {
  if (EngineGone(run)) return store::ToString(store::RunStatus::kInterrupted);
  return store::ToString(run.status);
}

int64_t ElapsedMs(int64_t started_ms, int64_t finished_ms, int64_t now_ms) {
  if (started_ms <= 0) return 0;
  int64_t end = finished_ms > 0 ? finished_ms : now_ms;
  return end > started_ms ? end - started_ms : 0;
}

std::string DescribeExit(const store::AttemptRecord& a) {
  std::string sig;
  if (a.signal > 0) {
    const char* abbrev = sigabbrev_np(a.signal);
    sig = abbrev ? fmt::format("signal {} ({})", a.signal, abbrev)
                 : fmt::format("signal {}", a.signal);
  }
  if (a.timed_out) {
    const char* abbrev = a.signal > 0 ? sigabbrev_np(a.signal) : nullptr;
    return abbrev ? fmt::format("timeout, SIG{}", abbrev) : std::string("timeout");
  }
  if (!sig.empty()) return sig;
  if (a.exit_code >= 0) return fmt::format("exit {}", a.exit_code);
  return "-";
}

nlohmann::json RunJson(const store::RunRecord& run, int64_t now_ms) {
  nlohmann::json trailers = nlohmann::json::array();
  for (const auto& [k, v] : run.trailers) trailers.push_back({{"key", k}, {"value", v}});
  return {
      {"id", run.id},
      {"pipeline", run.pipeline},
      {"file", run.file},
      {"title", run.title},
      {"status", ShownStatus(run)},
      {"recorded_status", store::ToString(run.status)},
      {"reason", run.reason},
      {"started_ms", run.started_ms},
      {"finished_ms", run.finished_ms},
      {"duration_ms", ElapsedMs(run.started_ms, run.finished_ms, now_ms)},
      {"git",
       {{"commit", run.git_commit},
        {"branch", run.git_branch},
        {"author_name", run.author_name},
        {"author_email", run.author_email},
        {"subject", run.subject},
        {"trailers", trailers}}},
      {"engine", {{"pid", run.engine_pid}, {"host", run.engine_host}}},
  };
}

nlohmann::json AttemptJson(const store::AttemptRecord& a) {
  return {
      {"number", a.number},           {"exit_code", a.exit_code},   {"signal", a.signal},
      {"timed_out", a.timed_out},     {"wall_ms", a.wall_ms},       {"user_cpu_ms", a.user_cpu_ms},
      {"sys_cpu_ms", a.sys_cpu_ms},   {"max_rss_kb", a.max_rss_kb}, {"started_ms", a.started_ms},
      {"finished_ms", a.finished_ms},
  };
}

nlohmann::json JobJson(const store::JobRecord& j, const std::vector<store::AttemptRecord>& attempts,
                       const std::vector<std::string>& report_warnings, int64_t now_ms) {
  nlohmann::json as = nlohmann::json::array();
  for (const auto& a : attempts) as.push_back(AttemptJson(a));
  return {{"index", j.index},
          {"name", j.name},
          {"status", store::ToString(j.status)},
          {"reason", j.reason},
          {"started_ms", j.started_ms},
          {"finished_ms", j.finished_ms},
          {"duration_ms", ElapsedMs(j.started_ms, j.finished_ms, now_ms)},
          {"attempts", as},
          {"outputs", j.outputs},
          {"report_warnings", report_warnings}};
}

nlohmann::json TestsJson(const std::map<std::string, double>& metrics) {
  auto total = Metric(metrics, "tests.total");
  if (!total) return nullptr;
  const int t = static_cast<int>(*total);
  const int failed = static_cast<int>(Metric(metrics, "tests.failed").value_or(0));
  const int skipped = static_cast<int>(Metric(metrics, "tests.skipped").value_or(0));
  return {{"total", t}, {"passed", t - failed - skipped}, {"failed", failed}, {"skipped", skipped}};
}

nlohmann::json CoverageJson(const std::map<std::string, double>& metrics) {
  auto line = Metric(metrics, "coverage.line");
  if (!line) return nullptr;
  nlohmann::json out = {{"line", *line}};
  auto branch = Metric(metrics, "coverage.branch");
  out["branch"] = branch ? nlohmann::json(*branch) : nlohmann::json(nullptr);
  return out;
}

nlohmann::json RunDetailJson(const RunDetail& d, int64_t now_ms) {
  std::map<int, std::vector<store::AttemptRecord>> by_job;
  for (const auto& a : d.attempts) by_job[a.job_index].push_back(a);
  static const std::vector<std::string> kNone;
  nlohmann::json out = RunJson(d.run, now_ms);
  out["metrics"] = d.metrics;
  out["tests"] = TestsJson(d.metrics);
  out["coverage"] = CoverageJson(d.metrics);
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& j : d.jobs) {
    auto w = d.report_warnings.find(j.index);
    jobs.push_back(JobJson(j, by_job[j.index], w == d.report_warnings.end() ? kNone : w->second,
                           now_ms));
  }
  out["jobs"] = std::move(jobs);
  return out;
}

nlohmann::json RunSummaryJson(const store::RunRecord& run, const plan::Plan& plan,
                              const std::vector<exec::JobResult>& results) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const plan::PlannedJob& job : plan.jobs) {
    const exec::JobResult& r = results[job.id];
    nlohmann::json outputs = nlohmann::json::object();
    for (const auto& [k, v] : r.outputs) outputs[k] = v;
    jobs.push_back({{"name", job.name},
                    {"status", r.cached ? "cached" : exec::JobStateName(r.state)},
                    {"cache_key", r.cache_key},
                    {"attempts", r.attempts},
                    {"duration_ms", r.duration.count() / 1000},
                    {"reason", r.reason},
                    {"resumed", r.resumed},
                    {"outputs", outputs}});
  }
  return {{"run", run.id},
          {"pipeline", run.pipeline},
          {"title", run.title},
          {"status", std::string(store::ToString(run.status))},
          {"reason", run.reason},
          {"commit", run.git_commit},
          {"branch", run.git_branch},
          {"duration_ms", run.finished_ms - run.started_ms},
          {"jobs", jobs}};
}

}  // namespace gauntlet::engine
