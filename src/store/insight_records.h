// The rows `gauntlet insight` reads (src/insight/, docs/insight.md): runs with their jobs
// as a stream over a time window, and deployments with the commit time of what they
// shipped. Plain data, shared by every Store implementation, like records.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

namespace gauntlet::store {

// Which runs VisitRunHistory reads: started in [since, until), of one pipeline and
// branch when given.
struct HistoryFilter {
  UnixMs since = 0;
  UnixMs until = 0;  // 0: no end
  std::optional<std::string> pipeline;
  std::optional<std::string> branch;
};

// One job of a run, as insight needs it.
struct HistoryJob {
  int index = 0;
  std::string name;
  JobStatus status = JobStatus::kPending;
  UnixMs ready_ms = 0;  // its needs had all finished (0: not recorded)
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;
  int attempts = 0;
  std::string cache_key;  // "" when it declares no `inputs:`
  // The wall time of its attempts before the last one: what its retries cost.
  int64_t retried_ms = 0;
};

// One run and its jobs (by index).
struct HistoryRun {
  RunId id = 0;
  std::string pipeline;
  RunStatus status = RunStatus::kQueued;
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;
  std::string git_commit;
  std::string git_branch;
  int slots = 0;      // the slot limit it ran with (-j); 0: not recorded
  std::string needs;  // the plan's edges (RunRecord::needs); "" when not recorded
  std::vector<HistoryJob> jobs;
};

// A deployment, as DORA figures need it, and when the commit it shipped was made.
struct DeploymentHistory {
  int64_t id = 0;
  std::string environment, version, strategy, state, git_commit;
  UnixMs started_ms = 0;
  UnixMs finished_ms = 0;
  UnixMs commit_ms = 0;  // from a run of that commit (RunRecord::commit_ms); 0: unknown
  // What the deployment's probe observed of the new version (docs/deploy.md, "SLOs");
  // unset when it probed nothing.
  std::optional<double> observed_p50_ms, observed_p95_ms, observed_p99_ms;
  std::optional<double> observed_error_rate;
};

}  // namespace gauntlet::store
