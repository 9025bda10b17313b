// What `gauntlet insight` answers, as plain data: per pipeline and job over a time window
// (percentiles, trends, waits, cache hits, retries, the critical path), flaky jobs,
// advice with its evidence and expected saving, and DORA figures per environment. Built
// by BuildReport (insight.h); shown as text, JSON and HTML (report_*.h). Every field is
// described in docs/insight.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "insight/percentile.h"
#include "store/records.h"

namespace gauntlet::insight {

// The window [since, until) and the one before it, [previous_since, since), of equal length.
struct Window {
  store::UnixMs since = 0;
  store::UnixMs until = 0;
  store::UnixMs previous_since = 0;
};

struct JobStats {
  std::string name;
  int64_t runs = 0;  // rows in the window, whatever their status
  int64_t succeeded = 0, failed = 0, cached = 0, skipped = 0, cancelled = 0;
  Percentiles duration;                    // executions (succeeded or failed) in the window
  std::optional<int64_t> previous_p50_ms;  // the same, in the previous window
  int64_t wait_total_ms = 0;               // started - ready, summed over executions
  int64_t wait_count = 0;                  // executions with a recorded ready time
  bool cache_key = false;                  // ran or was found under a cache key (`inputs:`)
  int64_t retries = 0;                     // attempts beyond the first
  int64_t critical_runs = 0;               // successful runs in which it was on the critical path

  std::optional<double> success_rate() const;    // succeeded / (succeeded + failed)
  std::optional<double> cache_hit_rate() const;  // cached / (cached + executions); keyed jobs
  std::optional<double> trend() const;           // p50 / previous p50 - 1
  std::optional<int64_t> wait_mean_ms() const;
};

// One job on a critical path and what making it faster would save in that run.
struct PathJob {
  std::string name;
  int64_t duration_ms = 0;
  int64_t shrink_if_zero_ms = 0;    // the run's critical path shortens by this if it took 0
  int64_t shrink_if_halved_ms = 0;  // ... if it took half as long
};

// The critical path of the pipeline's median run (the newest successful run whose
// duration is the p50).
struct CriticalPathReport {
  store::RunId run = 0;
  int64_t run_duration_ms = 0;
  int64_t length_ms = 0;
  std::vector<PathJob> jobs;  // first to last
};

// One day of the window (UTC days from `since`): runs started, failed, p50 of successes.
struct DayPoint {
  store::UnixMs start_ms = 0;
  int64_t runs = 0, failed = 0;
  std::optional<int64_t> p50_ms;
};

struct PipelineStats {
  std::string name;
  int64_t runs = 0;  // started in the window
  int64_t succeeded = 0, failed = 0, cancelled = 0, other = 0;
  Percentiles duration;  // successful runs
  std::optional<int64_t> previous_p50_ms;
  int slots = 0;               // the highest slot limit (-j) its runs recorded; 0: unknown
  Percentiles peak;            // jobs running at once, per successful run
  int64_t saturated_runs = 0;  // successful runs whose peak reached their slot limit
  Percentiles wait_per_run;    // slot waits summed per successful run
  Percentiles slack;           // run duration - its critical path length, per successful run
  std::optional<CriticalPathReport> critical_path;
  std::vector<JobStats> jobs;  // by name
  std::vector<DayPoint> days;

  std::optional<double> success_rate() const;
  std::optional<double> trend() const;
};

// A job that failed and passed on the same inputs (docs/insight.md, "Flaky jobs").
struct FlakyJob {
  std::string pipeline, job;
  int64_t executions = 0;
  int64_t passed_on_retry = 0;           // succeeded, but not on the first attempt
  int64_t failed_on_passing_inputs = 0;  // failed where the same commit and inputs passed
  int64_t retries = 0;                   // attempts beyond the first in those executions
  int64_t cost_ms = 0;                   // time of their failed attempts
  int64_t flaky() const { return passed_on_retry + failed_on_passing_inputs; }
  double rate() const { return executions ? double(flaky()) / double(executions) : 0; }
};

// One piece of advice: what to do, the numbers it rests on, and what it would save.
struct Advice {
  std::string
      kind;  // cacheable | critical_path | slots_queue | slots_idle | quarantine | always_skipped
  std::string pipeline, job;  // job "" for pipeline-wide advice
  std::string message;        // one sentence for people, with the numbers
  nlohmann::json evidence = nlohmann::json::object();
  int64_t saving_ms_per_run = 0;  // expected, per run of the pipeline
  int64_t saving_ms_window = 0;   // what it would have saved over the window
};

// DORA's four keys for one environment, each with its band: elite | high | medium | low,
// "" without data (docs/insight.md, "DORA").
struct DoraEnvironment {
  std::string environment;
  int64_t deployments = 0;  // change deployments finished in the window
  int64_t succeeded = 0;
  int64_t failed_changes = 0;  // rolled back, failed, or blamed by a later incident
  double per_day = 0;          // succeeded / days in the window
  std::string frequency_band;
  std::optional<int64_t> lead_time_ms;  // median, commit to successful deployment
  int64_t lead_time_samples = 0;
  std::string lead_time_band;
  std::optional<double> change_failure_rate;
  std::string change_failure_band;
  std::optional<int64_t> time_to_restore_ms;  // median
  int64_t restores = 0;
  int64_t unrestored = 0;  // failures with no good deployment after them yet
  std::string time_to_restore_band;
  // The newest successful deployment's observed latencies and error rate, once
  // deployments record them; unset until then.
  int64_t latest_deployment = 0;
  std::optional<double> observed_p50_ms, observed_p95_ms, observed_p99_ms, observed_error_rate;
};

struct Report {
  Window window;
  std::string since;  // as given: "30d"
  std::optional<std::string> pipeline, branch;
  int64_t runs_read = 0, jobs_read = 0;  // rows read, both windows
  std::vector<PipelineStats> pipelines;  // by name
  std::vector<FlakyJob> flaky;           // worst first
  std::vector<Advice> advice;            // largest saving first
  std::vector<DoraEnvironment> dora;     // by environment
};

}  // namespace gauntlet::insight
