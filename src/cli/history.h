// Helpers shared by the commands that read run history (runs, status, logs,
// cancel): opening the workspace's store, choosing the run a RUN argument names,
// showing a run the way a user should see it, and the JSON forms of records.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/workspace.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::cli {

// An opened history: where it is and its store.
struct History {
  Workspace ws;
  std::unique_ptr<store::Store> store;
};

// Opens the history for a command. On failure prints the error on stderr and
// returns the exit code to end with (kExitNotFound: no history here).
std::optional<History> OpenHistory(const std::string& state_dir_arg, int* exit_code);

// The run named by `arg` (a run id; empty or "latest": the newest run). Prints
// why on stderr and sets *exit_code when there is none.
std::optional<store::RunRecord> ResolveRun(store::Store& s, const std::string& arg, int* exit_code);

// A run opened for reading, with its jobs (by index).
struct OpenedRun {
  History history;
  store::RunRecord run;
  std::vector<store::JobRecord> jobs;
};

// OpenHistory, ResolveRun and the run's jobs: what `status`, `logs` and `diagnose`
// start with. Prints why on stderr and sets *exit_code when one of them fails.
std::optional<OpenedRun> OpenRunWithJobs(const std::string& state_dir_arg,
                                         const std::string& run_arg, int* exit_code);

// Whether a run recorded as 'running' has lost its engine: the engine ran on this
// host and its pid is gone. Runs of another host cannot be judged (false).
bool EngineGone(const store::RunRecord& run);

// The status a user sees: a 'running' run whose engine is gone is "interrupted".
// Read commands never write that back; `gauntlet run --resume` and `cancel` do.
std::string_view ShownStatus(const store::RunRecord& run);

// Wall time of a run or job: finished - started, or now - started while running.
int64_t ElapsedMs(int64_t started_ms, int64_t finished_ms, int64_t now_ms);

// "850ms", "12.3s", "4m05s", "1h02m".
std::string HumanDuration(int64_t ms);
// Local time "2026-11-21 23:40:05"; "-" for 0.
std::string LocalTime(int64_t unix_ms);

// "exit 0", "exit 2", "signal 9 (KILL)", "timeout, SIGKILL", "-" before any end.
std::string DescribeExit(const store::AttemptRecord& a);

nlohmann::json RunJson(const store::RunRecord& run, int64_t now_ms);
nlohmann::json AttemptJson(const store::AttemptRecord& a);

// Test counts and coverage of a run, from its metrics (tests.total, tests.failed,
// tests.skipped, coverage.line, coverage.branch; see gate/report_recorder.h):
// "41 passed, 1 failed, 2 skipped of 44" and "81.2% lines, 60.0% branches"; ""
// when the run has no such metric.
std::string TestsSummary(const std::map<std::string, double>& metrics);
std::string CoverageSummary(const std::map<std::string, double>& metrics);
// {"total","passed","failed","skipped"} / {"line","branch"}; null when absent.
nlohmann::json TestsJson(const std::map<std::string, double>& metrics);
nlohmann::json CoverageJson(const std::map<std::string, double>& metrics);

// Parses a positive run id; nullopt if `arg` is not one.
std::optional<store::RunId> ParseRunId(std::string_view arg);

}  // namespace gauntlet::cli
