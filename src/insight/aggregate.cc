#include "insight/aggregate.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "insight/critical_path.h"

namespace gauntlet::insight {
namespace {

constexpr int64_t kAggregateDayMs = 24 * 3600 * 1000;

// Ran at least one attempt to the end: its duration means something.
bool Executed(const store::HistoryJob& j) {
  return (j.status == store::JobStatus::kSuccess || j.status == store::JobStatus::kFailed) &&
         j.started_ms > 0 && j.finished_ms >= j.started_ms;
}

int64_t ElapsedOf(const store::HistoryJob& j) {
  return Executed(j) ? j.finished_ms - j.started_ms : 0;
}

// The most jobs running at once, executions taken as [start, finish) intervals.
int64_t PeakOf(const std::vector<store::HistoryJob>& jobs,
               std::vector<std::pair<int64_t, int>>* events) {
  events->clear();
  for (const store::HistoryJob& j : jobs) {
    if (!Executed(j)) continue;
    events->emplace_back(j.started_ms, +1);
    events->emplace_back(j.finished_ms, -1);
  }
  std::sort(events->begin(), events->end());  // at one instant a finish (-1) comes first
  int64_t running = 0, peak = 0;
  for (const auto& e : *events) {
    running += e.second;
    peak = std::max(peak, running);
  }
  return peak;
}

}  // namespace

struct Aggregator::JobAcc {
  JobStats stats;
  Sample current, previous;
  FlakyJob flaky;
  RerunEvidence rerun;
};

struct Aggregator::PipelineAcc {
  PipelineStats stats;
  std::vector<std::pair<int64_t, store::RunId>> successes;  // duration, run (this window)
  std::vector<int64_t> previous, peaks, waits, slacks;
  std::map<int64_t, std::pair<DayPoint, std::vector<int64_t>>> days;
  std::map<std::string, JobAcc> jobs;
  // Scratch, reused from run to run.
  std::vector<JobAcc*> accs;
  std::vector<std::pair<int64_t, int>> events;
  std::vector<PathNode> nodes;
  std::vector<JobAcc*> by_index;
};

// One execution of the commit being read.
struct Aggregator::GroupRow {
  JobAcc* acc;
  std::string cache_key;
  store::RunId run;
  bool passed;
  int64_t ms;
  int attempts;
};

Aggregator::Aggregator(Window window) : window_(window) {}
Aggregator::~Aggregator() = default;

void Aggregator::Add(const store::HistoryRun& run) {
  ++runs_read_;
  jobs_read_ += static_cast<int64_t>(run.jobs.size());
  if (run.git_commit != commit_) {
    FlushCommit();
    commit_ = run.git_commit;
  }
  std::unique_ptr<PipelineAcc>& slot = pipelines_[run.pipeline];
  if (!slot) {
    slot = std::make_unique<PipelineAcc>();
    slot->stats.name = run.pipeline;
  }
  PipelineAcc& p = *slot;
  const bool current = run.started_ms >= window_.since;
  const bool passed = run.status == store::RunStatus::kSuccess && run.started_ms > 0 &&
                      run.finished_ms >= run.started_ms;
  const int64_t duration = run.finished_ms - run.started_ms;
  if (current) {
    PipelineStats& s = p.stats;
    ++s.runs;
    switch (run.status) {
      case store::RunStatus::kSuccess:
        ++s.succeeded;
        break;
      case store::RunStatus::kFailed:
        ++s.failed;
        break;
      case store::RunStatus::kCancelled:
        ++s.cancelled;
        break;
      default:
        ++s.other;
        break;
    }
    s.slots = std::max(s.slots, run.slots);
    int64_t day = (run.started_ms - window_.since) / kAggregateDayMs;
    auto& [point, values] = p.days[day];
    point.start_ms = window_.since + day * kAggregateDayMs;
    ++point.runs;
    if (run.status == store::RunStatus::kFailed) ++point.failed;
    if (passed) {
      values.push_back(duration);
      p.successes.emplace_back(duration, run.id);
    }
  } else if (passed) {
    p.previous.push_back(duration);
  }
  AddJobs(run, p, current, &p.accs);
  if (current && passed) AddRunShape(run, p, p.accs);
}

void Aggregator::AddJobs(const store::HistoryRun& run, PipelineAcc& p, bool current,
                         std::vector<JobAcc*>* accs) {
  accs->clear();
  for (const store::HistoryJob& j : run.jobs) {
    JobAcc& a = p.jobs[j.name];
    if (a.stats.name.empty()) a.stats.name = j.name;
    accs->push_back(&a);
    const bool ran = Executed(j);
    const int64_t ms = ElapsedOf(j);
    if (!current) {
      if (ran) a.previous.Add(ms);
      continue;
    }
    JobStats& s = a.stats;
    ++s.runs;
    switch (j.status) {
      case store::JobStatus::kSuccess:
        ++s.succeeded;
        break;
      case store::JobStatus::kFailed:
        ++s.failed;
        break;
      case store::JobStatus::kCached:
        ++s.cached;
        break;
      case store::JobStatus::kSkipped:
        ++s.skipped;
        break;
      case store::JobStatus::kCancelled:
        ++s.cancelled;
        break;
      default:
        break;
    }
    if (!j.cache_key.empty()) s.cache_key = true;
    if (!ran) continue;
    a.current.Add(ms);
    if (j.ready_ms > 0 && j.started_ms >= j.ready_ms) {
      s.wait_total_ms += j.started_ms - j.ready_ms;
      ++s.wait_count;
    }
    s.retries += std::max(0, j.attempts - 1);
    ++a.flaky.executions;
    ++a.rerun.executions;
    const bool ok = j.status == store::JobStatus::kSuccess;
    if (ok && j.attempts > 1) {
      ++a.flaky.passed_on_retry;
      a.flaky.retries += j.attempts - 1;
      a.flaky.cost_ms += j.retried_ms;
    }
    if (!run.git_commit.empty()) group_.push_back({&a, j.cache_key, run.id, ok, ms, j.attempts});
  }
}

void Aggregator::AddRunShape(const store::HistoryRun& run, PipelineAcc& p,
                             const std::vector<JobAcc*>& accs) {
  const int64_t peak = PeakOf(run.jobs, &p.events);
  p.peaks.push_back(peak);
  if (run.slots > 0 && peak >= run.slots) ++p.stats.saturated_runs;
  int64_t wait = 0;
  for (const store::HistoryJob& j : run.jobs) {
    if (Executed(j) && j.ready_ms > 0 && j.started_ms >= j.ready_ms)
      wait += j.started_ms - j.ready_ms;
  }
  p.waits.push_back(wait);
  if (run.needs.empty()) return;
  const std::vector<std::vector<int>>& needs = Needs(run.needs);
  int size = 0;
  for (const store::HistoryJob& j : run.jobs) size = std::max(size, j.index + 1);
  p.nodes.assign(size, PathNode{});
  p.by_index.assign(size, nullptr);
  for (size_t k = 0; k < run.jobs.size(); ++k) {
    const store::HistoryJob& j = run.jobs[k];
    if (j.index < 0) continue;
    p.nodes[j.index].duration_ms = ElapsedOf(j);
    if (j.index < static_cast<int>(needs.size())) p.nodes[j.index].needs = needs[j.index];
    p.by_index[j.index] = accs[k];
  }
  CriticalPath path = LongestPath(p.nodes);
  for (int idx : path.jobs) {
    // A job that took no time (cached, skipped) is on the path only by the plan's shape.
    if (p.by_index[idx] && p.nodes[idx].duration_ms > 0) ++p.by_index[idx]->stats.critical_runs;
  }
  p.slacks.push_back(std::max<int64_t>(0, run.finished_ms - run.started_ms - path.length_ms));
}

const std::vector<std::vector<int>>& Aggregator::Needs(const std::string& text) {
  auto it = needs_cache_.find(text);
  if (it != needs_cache_.end()) return it->second;
  if (needs_cache_.size() >= 256) needs_cache_.clear();  // a bound: plans rarely change
  return needs_cache_.emplace(text, ParseNeeds(text)).first->second;
}

void Aggregator::FlushCommit() {
  // Executions of one job under one cache key on this commit: did they both pass and fail?
  std::sort(group_.begin(), group_.end(), [](const GroupRow& a, const GroupRow& b) {
    if (a.acc != b.acc) return a.acc < b.acc;
    if (a.cache_key != b.cache_key) return a.cache_key < b.cache_key;
    return a.run < b.run;
  });
  for (size_t begin = 0, end; begin < group_.size(); begin = end) {
    end = begin;
    int64_t passes = 0, fails = 0;
    while (end < group_.size() && group_[end].acc == group_[begin].acc &&
           group_[end].cache_key == group_[begin].cache_key) {
      (group_[end].passed ? passes : fails) += 1;
      ++end;
    }
    JobAcc& a = *group_[begin].acc;
    if (passes > 0 && fails > 0) {
      a.rerun.deterministic = false;
      for (size_t i = begin; i < end; ++i) {
        if (group_[i].passed) continue;
        ++a.flaky.failed_on_passing_inputs;
        a.flaky.retries += std::max(0, group_[i].attempts - 1);
        a.flaky.cost_ms += group_[i].ms;
      }
    }
    if (!group_[begin].cache_key.empty()) continue;
    bool passed_before = false;  // in run order: executions after the commit first passed
    for (size_t i = begin; i < end; ++i) {
      if (passed_before && group_[i].passed) {
        ++a.rerun.reruns;
        a.rerun.rerun_ms += group_[i].ms;
      }
      passed_before = passed_before || group_[i].passed;
    }
  }
  group_.clear();
}

Aggregate Aggregator::Finish() {
  FlushCommit();
  Aggregate out;
  out.runs_read = runs_read_;
  out.jobs_read = jobs_read_;
  for (auto& [name, acc] : pipelines_) {
    PipelineAcc& p = *acc;
    PipelineStats s = std::move(p.stats);
    std::vector<int64_t> durations;
    durations.reserve(p.successes.size());
    for (const auto& [ms, id] : p.successes) durations.push_back(ms);
    s.duration = Summarize(durations);
    if (s.duration.p50) {
      // The median run: the newest successful run that took exactly the p50.
      store::RunId median = 0;
      for (const auto& [ms, id] : p.successes) {
        if (ms == *s.duration.p50) median = std::max(median, id);
      }
      out.median_runs[name] = median;
    }
    s.previous_p50_ms = Percentile(p.previous, 50);
    s.peak = Summarize(std::move(p.peaks));
    s.wait_per_run = Summarize(std::move(p.waits));
    s.slack = Summarize(std::move(p.slacks));
    for (auto& [day, entry] : p.days) {
      DayPoint point = entry.first;
      point.p50_ms = Percentile(entry.second, 50);
      s.days.push_back(point);
    }
    for (auto& [job, a] : p.jobs) {
      a.stats.duration = a.current.Summary();
      a.stats.previous_p50_ms = a.previous.Summary().p50;
      if (a.stats.runs > 0) s.jobs.push_back(std::move(a.stats));
      if (a.flaky.flaky() > 0) {
        a.flaky.pipeline = name;
        a.flaky.job = job;
        out.flaky.push_back(a.flaky);
      }
      if (!s.jobs.empty() && s.jobs.back().name == job && !s.jobs.back().cache_key &&
          s.jobs.back().cached == 0 && a.rerun.reruns > 0 && a.rerun.deterministic) {
        a.rerun.pipeline = name;
        a.rerun.job = job;
        out.reruns.push_back(a.rerun);
      }
    }
    if (s.runs > 0) out.pipelines.push_back(std::move(s));
  }
  // Worst first: the highest rate, then the highest cost.
  std::sort(out.flaky.begin(), out.flaky.end(), [](const FlakyJob& a, const FlakyJob& b) {
    if (a.rate() != b.rate()) return a.rate() > b.rate();
    if (a.cost_ms != b.cost_ms) return a.cost_ms > b.cost_ms;
    return std::tie(a.pipeline, a.job) < std::tie(b.pipeline, b.job);
  });
  pipelines_.clear();
  return out;
}

}  // namespace gauntlet::insight
