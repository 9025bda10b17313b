// What running a job produces: per attempt (one process), per job, per run.
// These are the values the observer receives and the store persists.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::exec {

using Micros = std::chrono::microseconds;

// One attempt = one process (its whole process group), measured by wait4.
struct AttemptResult {
  int exit_code = -1;  // -1 when killed by a signal or never started
  int signal = 0;      // the terminating signal, 0 if it exited
  bool timed_out = false;
  bool cancelled = false;
  Micros wall{0};
  Micros user_cpu{0};
  Micros sys_cpu{0};
  long max_rss_kb = 0;
  std::string error;  // set when the process could not be started (or outputs were bad)
  bool ok() const { return exit_code == 0 && !timed_out && !cancelled && error.empty(); }
};

enum class JobState { kSuccess, kFailed, kSkipped, kCancelled };
const char* JobStateName(JobState s);  // "success", "failed", "skipped", "cancelled"

// Ordered key/value pairs a job wrote to $GAUNTLET_OUTPUT (already masked).
using Outputs = std::vector<std::pair<std::string, std::string>>;

struct JobResult {
  JobState state = JobState::kSkipped;
  int attempts = 0;  // attempts started (0 for skipped/resumed-skipped)
  Outputs outputs;
  bool continued_on_error = false;  // failed, but continue_on_error: counts as success
  bool resumed = false;             // taken from a previous run, not executed now
  Micros duration{0};               // first start to last finish (0 if never started)
  std::string reason;               // why skipped/failed/cancelled, for humans ("needs failed")
  bool upstream_failed = false;     // skipped because a need failed: dependents see a failure
  // Job cache and artifacts (docs/caching.md). Set by JobHooks; empty for jobs without
  // `inputs:` / `artifacts:`.
  bool cached = false;    // kSuccess taken from the job cache: not executed
  std::string cache_key;  // the key it ran (or was found) under; "" when not cacheable
  int64_t cache_last_used_ms = 0;  // cached: when its cache entry was last used before now
  std::string artifacts;  // the stored files' manifest as JSON (store/artifact_manifest.h)
  // How dependents see this job (the status functions of their `if:`).
  bool counts_as_success() const {
    return state == JobState::kSuccess || continued_on_error ||
           (state == JobState::kSkipped && !upstream_failed);
  }
};

enum class RunState { kSuccess, kFailed, kCancelled };
const char* RunStateName(RunState s);

struct RunResult {
  RunState state = RunState::kSuccess;
  int succeeded = 0, failed = 0, skipped = 0, cancelled = 0;
  int cached = 0;  // of `succeeded`, taken from the job cache
  Micros wall{0};
  // Set when the run could not be recorded (Observer::RecordingStatus) and was stopped:
  // the error, e.g. "write .gauntlet/logs/3.log: No space left on device". The state is
  // then kFailed.
  std::string storage_error;
};

}  // namespace gauntlet::exec
