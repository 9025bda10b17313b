// The JSON views of runs, jobs, attempts and run summaries: the shapes `gauntlet runs`,
// `status`, `cancel` and `run --json` print, and what the server and MCP will answer.
// Pure functions of records; `now_ms` only measures what is still running. Each shape is
// documented in docs/json.md and pinned by views_test.cc against docs/json/*.json.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "exec/results.h"
#include "plan/plan.h"
#include "store/records.h"

namespace gauntlet::engine {

// Whether a run recorded as 'running' has lost its engine: the engine ran on this host
// and its pid is gone. Runs of another host cannot be judged (false).
bool EngineGone(const store::RunRecord& run);

// The status a user sees: a 'running' run whose engine is gone is "interrupted". Read
// commands never write that back; `gauntlet run --resume` and `cancel` do.
std::string_view ShownStatus(const store::RunRecord& run);

// Wall time of a run or job: finished - started, or now - started while running.
int64_t ElapsedMs(int64_t started_ms, int64_t finished_ms, int64_t now_ms);

// How an attempt ended: "exit 0", "signal 9 (KILL)", "timeout, SIGKILL", "-" before any.
std::string DescribeExit(const store::AttemptRecord& a);

// A run: id, pipeline, file, status (shown), recorded_status, reason, times, git, engine.
nlohmann::json RunJson(const store::RunRecord& run, int64_t now_ms);
// One attempt of a job: exit, signal, timeout and its measured resources.
nlohmann::json AttemptJson(const store::AttemptRecord& a);
// One job of a run with its attempts and the problems with its report files.
nlohmann::json JobJson(const store::JobRecord& job, const std::vector<store::AttemptRecord>& attempts,
                       const std::vector<std::string>& report_warnings, int64_t now_ms);

// Test counts and coverage of a run from its metrics (gate/report_recorder.h):
// {"total","passed","failed","skipped"} and {"line","branch"}; null when absent.
nlohmann::json TestsJson(const std::map<std::string, double>& metrics);
nlohmann::json CoverageJson(const std::map<std::string, double>& metrics);

// `gauntlet status --json`: the run, its metrics, tests, coverage and every job.
struct RunDetail {
  store::RunRecord run;
  std::vector<store::JobRecord> jobs;
  std::vector<store::AttemptRecord> attempts;  // of every job
  std::map<std::string, double> metrics;
  std::map<int, std::vector<std::string>> report_warnings;  // by job index
};
nlohmann::json RunDetailJson(const RunDetail& d, int64_t now_ms);

// `gauntlet run --json`: what a run just did, job by job in plan order.
nlohmann::json RunSummaryJson(const store::RunRecord& run, const plan::Plan& plan,
                              const std::vector<exec::JobResult>& results);

}  // namespace gauntlet::engine
