// `gauntlet release` as a library call: from a green commit of a release branch to a
// version, a changelog, an annotated tag, a push and a deployment, each step recorded in
// the store and in the status file (docs/release.md). The CLI calls Run; so will the
// server's schedule (`release: {schedule, when: green}`): Run is safe to call from any
// thread of a long-lived process (no process-wide state changes; every resource is the
// call's).
//
// Order: verify -> analyse -> quality -> [approval] -> version (commit, local tag) -> push -> deploy.
// The tag is pushed before the deployment: a release is its tag, and a deployment that
// rolls back leaves a release that exists but is not deployed ("released_not_deployed").
// Re-running after a failure or a kill continues the unfinished release of HEAD (the
// latest release row whose tag points at HEAD): never a second tag or changelog section.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "engine/pipeline.h"
#include "engine/secrets.h"
#include "engine/workspace.h"
#include "release/status_file.h"

namespace gauntlet::release {

struct ReleaseRequest {
  const engine::LoadedPipeline* pipeline = nullptr;  // ok(), with a release: section
  engine::Workspace workspace;
  std::string package;      // a key of release.packages; "" the whole repository
  bool dry_run = false;     // print what would be done; change nothing, record nothing
  bool no_quality = false;  // skip the quality step (and the gate)
  bool no_deploy = false;
  bool approved = false;    // a person approves a needs-approval verdict (gate: approval)
  // Who asks when a person must approve (approval: wait): an MCP session's identity;
  // "" is the author of HEAD, the change the gate judged.
  std::string identity;
  Duration approval_poll = std::chrono::seconds(1);  // how often a waiting release looks
  // Whether this caller may wait for a person (approval: wait): a command line and an MCP
  // call do. A server's scheduled release does not (it would hold its worker and its
  // shutdown for hours): it makes the request and ends needs_approval; the next release
  // of that commit finds the decision.
  bool may_wait = false;
  // Polled while waiting for approval: true ends the wait, and the release fails with
  // the request left pending (an MCP call cancelled by its client). May be empty.
  std::function<bool()> cancelled;
  std::string environment;  // overrides release.environment
  std::string remote;       // overrides release.remote (the server's: its repository)
  std::string as;           // --as VERSION: this version exactly
  std::string status_file;  // "" : <state_dir>/last-release.json
  engine::Secrets secrets;  // for the quality jobs and the deployment
  Clock* clock = nullptr;   // null: RealClock()
  // Progress lines for people (may be empty).
  std::function<void(const std::string&)> print;
  // Called after each step has been recorded, and inside the version step after a file
  // is written ("version:files") and after the commit ("version:commit"): tests stop the
  // process there for real.
  std::function<void(std::string_view step)> after_step;
};

// Final statuses (the status file's `status`):
//   released               tagged (and pushed when a remote is set); no environment
//   deployed               released, and the deployment succeeded
//   released_not_deployed  released; the deployment rolled back, failed or paused
//   nothing_to_release     no releasable commit since the last release
//   needs_approval         the gate asks a person (gate: approval, approval: stop); run
//                          with --approve
//   denied                 a person denied the approval request, or nobody decided in
//                          time (approval: wait); no tag
//   rejected               the gate rejected HEAD
//   failed                 a step failed (the reason says which; the quality jobs'
//                          diagnostics are in quality.failed_jobs); re-run to continue
//   dry_run                what would be done (nothing was changed)
struct ReleaseOutcome {
  ReleaseState state;
  std::string status_file;  // where it was written ("" in a dry run)
  // A dry run's plan: the files with their version before and after, the commit
  // message, the refs pushed, the deployment (docs/release.md).
  nlohmann::json plan;
};

// Errors only when nothing was started: kInvalid (no release: section, an unknown
// package), kBusy (another release holds the state directory, named), kInternal.
Result<ReleaseOutcome> Run(const ReleaseRequest& request);

// The status file a request writes.
std::string StatusFilePath(const ReleaseRequest& request);

}  // namespace gauntlet::release
