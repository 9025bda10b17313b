// The rows of deployments (issue: progressive deploys): one row per deployment, its
// event log (steps, traffic changes, verdicts, hooks, rollbacks), and per environment
// the stable release and what runs on each slot. Plain data, shared by every Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gauntlet::store {

// Deployment states. Active ones (running, paused) hold the environment's lock.
inline constexpr const char* kDeployRunning = "running";
inline constexpr const char* kDeployPaused = "paused";  // inconclusive: promote or abort
inline constexpr const char* kDeploySucceeded = "succeeded";
inline constexpr const char* kDeployRolledBack = "rolled_back";
inline constexpr const char* kDeployFailed = "failed";  // failed with no rollback possible

struct DeploymentRecord {
  int64_t id = 0;  // assigned by StartDeployment
  std::string environment, version, strategy;
  std::string state = kDeployRunning;
  // Where the state machine is; a resumed deployment continues from here
  // (docs/deploy.md, "Phases").
  std::string phase;
  int step = 0;                          // canary step index; -1 before the first step
  int weight = 0;                        // traffic percent on the target slot last applied
  std::string target_slot, stable_slot;  // two-slot strategies
  std::string previous_version;          // the stable release before this deployment
  std::string git_commit;                // of the release, when known
  std::string trigger;                   // "deploy (user@host)", "run 12, stage deploy", ...
  std::string reason;                    // why it ended as it did
  int64_t engine_pid = 0;                // the process driving it; 0 while paused
  std::string engine_host;
  int64_t started_ms = 0, finished_ms = 0;
  // A person's decision for a paused deployment ("promote" | "abort"); written only by
  // SetDeploymentRequest, never by UpdateDeployment.
  std::string request;
  // What gauntlet's probe observed of the new version over the deployment's analysis
  // windows (docs/deploy.md, "SLOs"): nearest-rank percentiles of every finished request;
  // meaningful when observed_requests > 0.
  int64_t observed_requests = 0, observed_errors = 0;
  double observed_p50_ms = 0, observed_p95_ms = 0, observed_p99_ms = 0;
  double observed_error_rate() const {
    return observed_requests ? static_cast<double>(observed_errors) / observed_requests : 0;
  }
  bool active() const { return state == kDeployRunning || state == kDeployPaused; }
};

struct DeploymentEvent {
  int64_t deployment_id = 0;
  int seq = 0;  // assigned: 1, 2, ... within the deployment
  int64_t at_ms = 0;
  std::string kind;  // phase | traffic | health | verdict | analysis | hook | rollback | note
  int step = -1;
  int weight = -1;
  std::string verdict;  // verdicts and analyses: pass | fail | inconclusive | error, ...
  std::string detail;   // one line for people
  std::string json;     // verdicts: the Measurement as JSON; else "" or an object
};

// What runs on one slot (or instance) of an environment.
struct SlotRecord {
  std::string environment, slot, version, git_commit;
  bool running = false;  // false once stopped
  int64_t updated_ms = 0;
};

// The environment's current stable release: where traffic goes.
struct StableRecord {
  std::string environment, slot, version, git_commit;
  int64_t deployment_id = 0;
  int64_t updated_ms = 0;
};

// StartDeployment's answer: the new id, or the active deployment holding the lock.
struct DeploymentStart {
  int64_t id = 0;
  std::optional<DeploymentRecord> holder;
};

}  // namespace gauntlet::store
