// Driving a deployment as a library call: a DeploymentRequest goes in, a DeploymentHandle
// comes back; the deployment runs on a thread of its own, prints its progress lines
// through the request, can be cancelled (before promotion it rolls back: traffic to the
// stable slot first) and ends in the deployment as recorded, with its events. `gauntlet
// deploy|promote|abort|rollback` and the deploy stages of a run all go through here.
//
// Environment commands, health probes and the router run in the workspace directory
// (given in each spawn request); a relative nginx upstream_file is taken from there too.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "deploy/deployer.h"
#include "engine/pipeline.h"
#include "engine/secrets.h"
#include "engine/workspace.h"
#include "store/deploy_records.h"

namespace gauntlet::engine {

enum class DeployAction {
  kStart,     // a new deployment of `start.version`
  kResume,    // the environment's interrupted deployment, from its phase
  kPromote,   // a paused deployment: the step counts as passed
  kAbort,     // a paused or interrupted deployment: roll it back
  kRollback,  // straight back to `rollback_to` (empty: the last known-good)
};

struct DeploymentRequest {
  const spec::Environment* environment = nullptr;  // must outlive the handle
  Workspace workspace;
  DeployAction action = DeployAction::kStart;
  deploy::DeployRequest start;  // kStart; an empty git_commit: the workspace's HEAD
  std::string rollback_to;      // kRollback
  std::string trigger;          // kRollback: who asked
  Secrets secrets;              // masked; given to the commands that list them
  std::string store_url;        // empty: workspace.store_url()
  Clock* clock = nullptr;       // null: RealClock()
  std::function<void(const std::string&)> print;  // progress lines (may be empty)
};

struct DeploymentOutcome {
  // The deployment as it ended, or why it was refused (lock held, nothing to resume).
  Result<store::DeploymentRecord> record = Error{"not finished"};
  std::vector<store::DeploymentEvent> events;  // of `record`, oldest first
  bool cancelled = false;                      // Cancel was called before the end
  // The deployer was asked; false: the request failed before (no store): `record`'s
  // error is then the engine's, not a refusal.
  bool asked = false;
};

class DeploymentHandle {
 public:
  virtual ~DeploymentHandle() = default;  // waits for the end
  // Thread-safe. Before promotion the deployment rolls back; after, it finishes.
  virtual void Cancel() = 0;
  virtual const DeploymentOutcome& Wait() = 0;
};

// Starts the action on a thread of its own (with its own store connection).
std::unique_ptr<DeploymentHandle> StartDeployment(DeploymentRequest request);

// The same on the calling thread, to the end; `cancelled` is read between steps.
DeploymentOutcome RunDeployment(const DeploymentRequest& request,
                                const std::atomic<bool>& cancelled);

// Whether `action` (kPromote, kAbort, kRollback) makes sense for deployment `d` as the
// store holds it now: Ok, or a kConflict error saying why not and what would (the
// deployer's own rules: promote a paused one; abort a paused one or one whose engine is
// gone; roll back the environment's current release). For a face that names a deployment
// by its id and acts later (the server queues the action).
Status CheckDeploymentAction(store::Store& store, const store::DeploymentRecord& d,
                             DeployAction action);

// The environment `name` of the pipeline; kNotFound naming the known ones.
Result<const spec::Environment*> FindEnvironment(const LoadedPipeline& loaded,
                                                 const std::string& name);

// The deploy layer's context for commands run from this process in `ws`: the process
// runner with the workspace as working directory, this engine as the lock holder.
deploy::DeployContext DeployContextFor(store::Store* store, Clock* clock, const Workspace& ws,
                                       const Secrets& secrets);

// The environment with its paths made absolute against the workspace.
spec::Environment InWorkspace(const spec::Environment& env, const Workspace& ws);

}  // namespace gauntlet::engine
