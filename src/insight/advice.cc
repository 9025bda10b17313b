#include "insight/advice.h"

#include <fmt/core.h>

#include <algorithm>
#include <tuple>

#include "core/duration.h"

namespace gauntlet::insight {
namespace {

const PipelineStats* FindPipeline(const std::vector<PipelineStats>& pipelines,
                                  const std::string& name) {
  for (const PipelineStats& p : pipelines) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

int64_t PerRun(int64_t total, int64_t runs) { return runs > 0 ? total / runs : 0; }

void AdviseCacheable(const std::vector<PipelineStats>& pipelines,
                     const std::vector<RerunEvidence>& reruns, std::vector<Advice>* out) {
  for (const RerunEvidence& r : reruns) {
    if (!r.deterministic || r.reruns <= 0 || r.executions < kAdviceMinRuns) continue;
    const PipelineStats* p = FindPipeline(pipelines, r.pipeline);
    Advice a;
    a.kind = "cacheable";
    a.pipeline = r.pipeline;
    a.job = r.job;
    a.message = fmt::format(
        "'{}' declares no inputs: it ran again {} time(s) on a commit it had already passed "
        "on ({} in all) and never both failed and passed on one commit; declaring `inputs:` "
        "lets the job cache skip such runs",
        r.job, r.reruns, HumanDuration(r.rerun_ms));
    a.evidence = {{"executions", r.executions}, {"reruns", r.reruns}, {"rerun_ms", r.rerun_ms}};
    a.saving_ms_window = r.rerun_ms;
    a.saving_ms_per_run = PerRun(r.rerun_ms, p ? p->runs : 0);
    out->push_back(std::move(a));
  }
}

void AdviseCriticalPath(const PipelineStats& p, std::vector<Advice>* out) {
  if (!p.critical_path || p.succeeded < kAdviceMinRuns || p.critical_path->length_ms <= 0) return;
  const CriticalPathReport& path = *p.critical_path;
  for (const PathJob& j : path.jobs) {
    auto stats = std::find_if(p.jobs.begin(), p.jobs.end(),
                              [&](const JobStats& s) { return s.name == j.name; });
    if (stats == p.jobs.end()) continue;
    double run_share = static_cast<double>(stats->critical_runs) / p.succeeded;
    double path_share = static_cast<double>(j.duration_ms) / path.length_ms;
    if (run_share < kDominantRunShare || path_share < kDominantPathShare) continue;
    Advice a;
    a.kind = "critical_path";
    a.pipeline = p.name;
    a.job = j.name;
    a.message = fmt::format(
        "'{}' is on the critical path in {} of {} successful runs and takes {} of the median "
        "run's {} path: making it twice as fast shortens that run by {}",
        j.name, stats->critical_runs, p.succeeded, HumanDuration(j.duration_ms),
        HumanDuration(path.length_ms), HumanDuration(j.shrink_if_halved_ms));
    a.evidence = {{"critical_runs", stats->critical_runs},
                  {"successful_runs", p.succeeded},
                  {"median_run", path.run},
                  {"duration_ms", j.duration_ms},
                  {"path_ms", path.length_ms},
                  {"shrink_if_halved_ms", j.shrink_if_halved_ms},
                  {"shrink_if_zero_ms", j.shrink_if_zero_ms}};
    a.saving_ms_per_run = j.shrink_if_halved_ms;
    a.saving_ms_window = j.shrink_if_halved_ms * stats->critical_runs;
    out->push_back(std::move(a));
  }
}

void AdviseSlots(const PipelineStats& p, std::vector<Advice>* out) {
  if (p.slots <= 0 || p.succeeded < kAdviceMinRuns || !p.peak.p50) return;
  Advice a;
  a.pipeline = p.name;
  int64_t wait = p.wait_per_run.p50.value_or(0), slack = p.slack.p50.value_or(0);
  if (p.saturated_runs * 2 >= p.succeeded && wait > 0 && slack > 0) {
    a.kind = "slots_queue";
    a.message = fmt::format(
        "'{}' used all {} slots in {} of {} successful runs and its jobs waited {} per run "
        "(median) for one; a run takes {} beyond its critical path (median): more slots "
        "(-j) can save up to that",
        p.name, p.slots, p.saturated_runs, p.succeeded, HumanDuration(wait), HumanDuration(slack));
    a.evidence = {{"slots", p.slots},
                  {"saturated_runs", p.saturated_runs},
                  {"successful_runs", p.succeeded},
                  {"wait_ms_per_run_p50", wait},
                  {"slack_ms_p50", slack}};
    a.saving_ms_per_run = slack;
    a.saving_ms_window = slack * p.saturated_runs;
  } else if (p.peak.max && *p.peak.max < p.slots) {
    int64_t peak_max = *p.peak.max;
    a.kind = "slots_idle";
    a.message = fmt::format(
        "'{}' never ran more than {} job(s) at once in its {} successful runs with {} slots: "
        "its plan and critical path bound it, not -j; {} slot(s) stay idle (split the long "
        "jobs on its critical path to use them)",
        p.name, peak_max, p.succeeded, p.slots, p.slots - peak_max);
    a.evidence = {{"slots", p.slots}, {"peak_max", peak_max}, {"successful_runs", p.succeeded}};
  } else {
    return;
  }
  out->push_back(std::move(a));
}

void AdviseQuarantine(const std::vector<PipelineStats>& pipelines,
                      const std::vector<FlakyJob>& flaky, std::vector<Advice>* out) {
  for (const FlakyJob& f : flaky) {
    if (f.flaky() < kQuarantineMin || f.rate() < kQuarantineRate) continue;
    const PipelineStats* p = FindPipeline(pipelines, f.pipeline);
    Advice a;
    a.kind = "quarantine";
    a.pipeline = f.pipeline;
    a.job = f.job;
    a.message = fmt::format(
        "'{}' is flaky: {} of {} executions ({:.1f}%) passed only on a retry or failed where "
        "the same inputs passed, costing {} retries and {}; quarantine it "
        "(continue_on_error) while it is fixed",
        f.job, f.flaky(), f.executions, 100.0 * f.rate(), f.retries, HumanDuration(f.cost_ms));
    a.evidence = {{"executions", f.executions},
                  {"passed_on_retry", f.passed_on_retry},
                  {"failed_on_passing_inputs", f.failed_on_passing_inputs},
                  {"retries", f.retries},
                  {"cost_ms", f.cost_ms}};
    a.saving_ms_window = f.cost_ms;
    a.saving_ms_per_run = PerRun(f.cost_ms, p ? p->runs : 0);
    out->push_back(std::move(a));
  }
}

void AdviseSkipped(const PipelineStats& p, std::vector<Advice>* out) {
  for (const JobStats& j : p.jobs) {
    if (j.runs < kAdviceMinRuns || j.skipped != j.runs) continue;
    Advice a;
    a.kind = "always_skipped";
    a.pipeline = p.name;
    a.job = j.name;
    a.message = fmt::format(
        "'{}' was skipped in all {} runs: its `if:` (or a need) never let it run; remove it "
        "or fix the condition",
        j.name, j.runs);
    a.evidence = {{"runs", j.runs}, {"skipped", j.skipped}};
    out->push_back(std::move(a));
  }
}

int KindOrder(const std::string& kind) {
  static const char* kOrder[] = {"critical_path", "slots_queue", "cacheable",
                                 "quarantine",    "slots_idle",  "always_skipped"};
  for (int i = 0; i < 6; ++i) {
    if (kind == kOrder[i]) return i;
  }
  return 6;
}

}  // namespace

std::vector<Advice> Advise(const std::vector<PipelineStats>& pipelines,
                           const std::vector<FlakyJob>& flaky,
                           const std::vector<RerunEvidence>& reruns) {
  std::vector<Advice> out;
  AdviseCacheable(pipelines, reruns, &out);
  for (const PipelineStats& p : pipelines) {
    AdviseCriticalPath(p, &out);
    AdviseSlots(p, &out);
    AdviseSkipped(p, &out);
  }
  AdviseQuarantine(pipelines, flaky, &out);
  std::stable_sort(out.begin(), out.end(), [](const Advice& a, const Advice& b) {
    return std::make_tuple(-a.saving_ms_window, KindOrder(a.kind), a.pipeline, a.job) <
           std::make_tuple(-b.saving_ms_window, KindOrder(b.kind), b.pipeline, b.job);
  });
  return out;
}

}  // namespace gauntlet::insight
