// Helpers shared by the commands that read run history (runs, status, logs, cancel,
// diagnose): opening the workspace's store, choosing the run a RUN argument names, and
// showing runs the way a person reads them. The JSON shapes are the engine's views.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "engine/views_run.h"
#include "engine/workspace.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::cli {

using engine::DescribeExit;
using engine::ElapsedMs;
using engine::EngineGone;
using engine::ShownStatus;
using engine::Workspace;

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

using gauntlet::HumanDuration;  // core/duration.h
// Local time "2026-11-21 23:40:05"; "-" for 0.
std::string LocalTime(int64_t unix_ms);

// Test counts and coverage of a run, from its metrics: "41 passed, 1 failed, 2 skipped
// of 44" and "81.2% lines, 60.0% branches"; "" when the run has no such metric.
std::string TestsSummary(const std::map<std::string, double>& metrics);
std::string CoverageSummary(const std::map<std::string, double>& metrics);

// Parses a positive run id; nullopt if `arg` is not one.
std::optional<store::RunId> ParseRunId(std::string_view arg);

}  // namespace gauntlet::cli
