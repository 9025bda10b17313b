#include "insight/insight.h"

#include <cctype>
#include <charconv>
#include <utility>

#include "core/duration.h"
#include "insight/advice.h"
#include "insight/aggregate.h"
#include "insight/critical_path.h"
#include "insight/dora.h"

namespace gauntlet::insight {
namespace {

constexpr int64_t kSinceDayMs = 24 * 3600 * 1000;

// The median run's critical path, from its recorded jobs and plan edges.
Result<std::optional<CriticalPathReport>> MedianRunPath(store::Store& store, store::RunId id) {
  auto run = store.GetRun(id);
  if (!run.ok()) return run.error();
  auto jobs = store.GetJobs(id);
  if (!jobs.ok()) return jobs.error();
  if (!*run || (*run)->needs.empty()) return std::optional<CriticalPathReport>();
  std::vector<PathNode> nodes;
  std::vector<std::string> names;
  for (const store::JobRecord& j : *jobs) {
    if (j.index < 0) continue;
    if (j.index >= static_cast<int>(nodes.size())) {
      nodes.resize(j.index + 1);
      names.resize(j.index + 1);
    }
    bool ran = (j.status == store::JobStatus::kSuccess || j.status == store::JobStatus::kFailed) &&
               j.started_ms > 0 && j.finished_ms >= j.started_ms;
    nodes[j.index].duration_ms = ran ? j.finished_ms - j.started_ms : 0;
    names[j.index] = j.name;
  }
  std::vector<std::vector<int>> needs = ParseNeeds((*run)->needs);
  for (size_t i = 0; i < nodes.size() && i < needs.size(); ++i) nodes[i].needs = needs[i];
  CriticalPath path = LongestPath(nodes);
  CriticalPathReport out;
  out.run = id;
  out.run_duration_ms = (*run)->finished_ms - (*run)->started_ms;
  out.length_ms = path.length_ms;
  for (int idx : path.jobs) {
    PathJob j;
    j.name = names[idx];
    j.duration_ms = nodes[idx].duration_ms;
    j.shrink_if_zero_ms = ShrinkIf(nodes, idx, 0);
    j.shrink_if_halved_ms = ShrinkIf(nodes, idx, nodes[idx].duration_ms / 2);
    out.jobs.push_back(std::move(j));
  }
  return std::optional<CriticalPathReport>(std::move(out));
}

}  // namespace

Result<int64_t> ParseSince(std::string_view text) {
  if (text.size() > 1 && text.back() == 'd') {
    std::string_view digits = text.substr(0, text.size() - 1);
    int64_t days = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), days);
    if (ec == std::errc() && end == digits.data() + digits.size() && days > 0 && days <= 36500) {
      return days * kSinceDayMs;
    }
  }
  auto d = ParseDuration(text);
  if (!d.ok() || d->count() <= 0) {
    return Error{"--since '" + std::string(text) +
                 "': expected a positive length of time such as 30d, 12h or 90m"};
  }
  return static_cast<int64_t>(d->count());
}

Result<Report> BuildReport(store::Store& store, const Options& options) {
  auto length = ParseSince(options.since);
  if (!length.ok()) return length.error();
  Report report;
  report.since = options.since;
  report.pipeline = options.pipeline;
  report.branch = options.branch;
  report.window.until = options.now;
  report.window.since = options.now - *length;
  report.window.previous_since = report.window.since - *length;

  store::HistoryFilter filter;
  filter.since = report.window.previous_since;
  filter.until = report.window.until;
  filter.pipeline = options.pipeline;
  filter.branch = options.branch;
  Aggregator aggregator(report.window);
  Status scanned =
      store.VisitRunHistory(filter, [&](const store::HistoryRun& run) { aggregator.Add(run); });
  if (!scanned.ok()) return scanned.error();
  Aggregate agg = aggregator.Finish();
  report.runs_read = agg.runs_read;
  report.jobs_read = agg.jobs_read;
  for (PipelineStats& p : agg.pipelines) {
    auto median = agg.median_runs.find(p.name);
    if (median == agg.median_runs.end()) continue;
    auto path = MedianRunPath(store, median->second);
    if (!path.ok()) return path.error();
    p.critical_path = std::move(*path);
  }
  report.advice = Advise(agg.pipelines, agg.flaky, agg.reruns);
  report.pipelines = std::move(agg.pipelines);
  report.flaky = std::move(agg.flaky);

  auto deployments = store.ListDeploymentHistory(report.window.since);
  if (!deployments.ok()) return deployments.error();
  if (options.commit_time) {
    for (store::DeploymentHistory& d : *deployments) {
      if (d.commit_ms > 0 || d.git_commit.empty()) continue;
      if (auto t = options.commit_time(d.git_commit)) d.commit_ms = *t;
    }
  }
  auto incidents = store.ListIncidents(report.window.since);
  if (!incidents.ok()) return incidents.error();
  report.dora = ComputeDora(*deployments, *incidents, report.window);
  return report;
}

}  // namespace gauntlet::insight
