// The rows the store keeps: runs, jobs, attempts. Plain data, no storage types,
// so that every Store implementation (SQLite now, PostgreSQL later) shares them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gauntlet::store {

using RunId = int64_t;
// Timestamps are milliseconds since the Unix epoch, supplied by the caller (the
// store never reads the clock). 0 means "not yet".
using UnixMs = int64_t;

enum class RunStatus { kQueued, kRunning, kSuccess, kFailed, kCancelled, kInterrupted, kSkipped };
enum class JobStatus { kPending, kRunning, kSuccess, kFailed, kSkipped, kCancelled, kCached };

// The spelling stored in the database and shown to users ("running").
std::string_view ToString(RunStatus s);
std::string_view ToString(JobStatus s);
std::optional<RunStatus> ParseRunStatus(std::string_view s);
std::optional<JobStatus> ParseJobStatus(std::string_view s);

// A commit message trailer ("Task-ID: 42"); order and duplicates are kept.
using Trailer = std::pair<std::string, std::string>;
// A job's outputs (name -> value), as the executor collected them.
using Outputs = std::map<std::string, std::string>;
// How outputs are stored: one JSON object. A damaged value reads as no outputs rather
// than failing a listing (the JSON is our own).
std::string OutputsToJson(const Outputs& outputs);
Outputs OutputsFromJson(const std::string& text);

struct RunRecord {
  RunId id = 0;          // assigned by CreateRun: increasing within one store
  std::string pipeline;  // pipeline name
  std::string file;      // pipeline file path
  RunStatus status = RunStatus::kQueued;
  std::string reason;  // why it ended that way (first failed job, signal, ...)
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;

  // Git context; empty when the workspace is not a repository.
  std::string git_commit;
  std::string git_branch;  // "HEAD" when detached
  std::string author_name;
  std::string author_email;
  std::string subject;  // first line of the commit message
  std::vector<Trailer> trailers;

  // The engine that drives the run: a run left 'running' whose engine is gone
  // from this host was interrupted.
  int64_t engine_pid = 0;
  std::string engine_host;

  std::string options_json = "{}";  // opaque to the store: what --resume replays
  std::string plan_fingerprint;     // resume refuses a plan that changed

  // For `gauntlet insight` (docs/insight.md): when the commit was made (its committer
  // time; 0 when not a repository), the slot limit the run had (-j), and the plan's edges
  // as JSON, the needs of each job by index ("[[],[0],[0,1]]"; "" when not recorded).
  UnixMs commit_ms = 0;
  int slots = 0;
  std::string needs;

  // The run's title: a workflow's `run-name:` (or a pipeline's `run_name:`) as rendered
  // when the run started, masked; "" when the file has none (docs/cli.md, `gauntlet runs`).
  std::string title;
};

// The reason recorded for a run its engine stopped because the run could not be recorded
// (a commit or a log write failed: a full disk). Such a run is recorded `failed` but,
// unlike a run whose jobs failed, `gauntlet run --resume` continues it once the cause
// is fixed.
std::string StorageErrorReason(std::string_view error);
bool StoppedByStorageError(const RunRecord& run);

// One concrete job of a run. `index` is the executor's job number within the run
// (the plan's JobId); `name` is unique within the run too.
struct JobRecord {
  RunId run_id = 0;
  int index = 0;
  std::string name;
  JobStatus status = JobStatus::kPending;
  std::string reason;
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;
  int attempts = 0;  // attempts finished so far
  Outputs outputs;
  // When its needs had all finished (0: not recorded): started_ms - ready_ms is the time
  // it waited for a slot.
  UnixMs ready_ms = 0;
  std::string cache_key;  // the key it ran or was found under; "" when not cacheable
};

// One execution of a job's command (a retry is a new attempt, numbered from 1).
struct AttemptRecord {
  RunId run_id = 0;
  int job_index = 0;
  int number = 1;
  int exit_code = -1;  // -1 when killed by a signal or never exited
  int signal = 0;      // the terminating signal, 0 if none
  bool timed_out = false;
  int64_t wall_ms = 0;
  int64_t user_cpu_ms = 0;
  int64_t sys_cpu_ms = 0;
  int64_t max_rss_kb = 0;
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;
};

// Which runs ListRuns returns: newest first, at most `limit`.
struct RunFilter {
  int limit = 50;
  std::optional<std::string> pipeline;
  std::optional<RunStatus> status;
  std::optional<std::string> branch;
  std::optional<RunId> before_id;  // paging: runs with a smaller id
};

// A job's parsed report file, kept so that `gauntlet gate` and `gauntlet diagnose`
// judge what the job produced at the time, not what the work tree holds later.
// kind: "junit" (gate::TestReport) or "coverage" (gate::Coverage); json is the
// form written by gate/report_json.h.
struct ReportRecord {
  RunId run_id = 0;
  int job_index = 0;
  std::string job_name;
  std::string kind;
  std::string json;
};

// Something that went wrong after a change shipped, blamed on the change's
// commit: it demotes the author's trust (gates). Written by deploys (an automatic
// or manual rollback) and by the gate (a revert commit naming the change).
struct IncidentRecord {
  int64_t id = 0;          // assigned by RecordIncident
  std::string kind;        // "rollback" | "revert"
  std::string git_commit;  // the commit blamed (the deployed release's, the reverted one)
  std::string environment; // rollback: the environment; else empty
  std::string version;     // rollback: the release version rolled back; else empty
  std::string detail;      // why, for humans ("error rate 12% > 2x baseline 0.1%")
  UnixMs at_ms = 0;
};

// A promotion or demotion of an author's trust level in one repository, with
// why (gates/trust.h). Levels are computed from the history, never set by hand;
// these rows record when the computed level changed, for `gauntlet trust`.
struct TrustChangeRecord {
  int64_t id = 0;           // assigned by RecordTrustChange
  std::string repository;   // the pipeline's name (docs/gates.md: how a repository is named)
  std::string author;       // gate::AuthorKey: the lowercased email
  std::string from_level;   // "L0".."L3"
  std::string to_level;
  std::string reason;
  UnixMs at_ms = 0;  // when the history made it so (the merge or incident that caused it)
};

}  // namespace gauntlet::store
