// The deployment engine: each deployment is a state machine persisted in the store at
// every phase change, so a killed engine leaves a record that `deploy --resume` (or
// `abort`) continues from. One deployment per environment at a time: the store's
// StartDeployment is the lock (the holder's pid and host are recorded); a second deploy
// is refused, naming the holder.
//
// The lock covers the whole deployment, the scale-down of the old slot included: a
// deploy started meanwhile waits for it to end (saying so), and `gauntlet rollback`
// preempts the wait (the old slot, still running, gets the traffic back at once).
//
// Strategies (docs/deploy.md):
//   canary      two slots; the new version goes to the idle slot, is health-gated and
//               analysed with no user traffic (the probe alone), then gets each step's
//               weight with a pause and an analysis, then all traffic (promotion)
//   blue_green  two slots; idle slot, health, analysis with no user traffic, switch all
//               traffic, stop the old slot after scale_down_delay
//   rolling     batches of max_unavailable instances, each taken out of the router,
//               drained, deployed and health-gated, put back, then analysed against
//               the instances not yet updated
//   recreate    stop every instance, deploy every instance, health-gate them
// Rollback (automatic on a failed analysis/health gate, `abort`, or `rollback ENV`):
// traffic goes back to the stable slot first, then the new slot is drained and
// stopped, and an incident is recorded for the release.
//
// Not thread-safe; one Deployer per command.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "deploy/command.h"
#include "deploy/probe.h"
#include "deploy/router.h"
#include "spec/model.h"
#include "store/store.h"

namespace gauntlet::deploy {

struct DeployContext {
  store::Store* store = nullptr;
  Clock* clock = nullptr;                         // every wait and every time recorded
  CommandRunner run;                              // every environment command goes through it
  std::function<void(const std::string&)> print;  // one progress line (may be empty)
  int64_t pid = 0;                                // this engine, recorded as the lock holder
  std::string host;
  // The router for an environment; unset: MakeRouter.
  std::function<Result<std::unique_ptr<Router>>(const spec::Environment&)> make_router;
  Duration command_timeout{std::chrono::minutes(10)};
  // Every secret known to the caller (name, value). Each value is masked (***) in what
  // the deployment records and prints; the environment's commands get those whose names
  // the environment lists under `secrets:` as environment variables.
  std::vector<std::pair<std::string, std::string>> secrets;
  // True once the person running the engine asked it to stop (SIGINT/SIGTERM): before
  // promotion the deployment rolls back (traffic to stable first); unset: never.
  std::function<bool()> interrupted;
};

struct DeployRequest {
  std::string version;
  std::string strategy;  // empty: the environment's
  std::string trigger;   // who/what asked: "deploy (alice@host)", "run 12, stage deploy"
  std::string git_commit;
  // false: a failure pauses for a person (traffic kept on stable) instead of rolling
  // back; AND-ed with the environment's rollback_on_failure. Recorded with the
  // deployment, so promote / --resume keep it.
  bool rollback_on_failure = true;
};

// nginx / command / none (nullptr: traffic changes are only recorded).
Result<std::unique_ptr<Router>> MakeRouter(const spec::Environment& env, CommandRunner run);

// A release version may hold letters, digits and . _ + - (1 to 128 characters): it is
// passed to commands and shown in routers' files.
Status ValidateVersion(const std::string& version);

class Deployer {
 public:
  Deployer(const spec::Environment& env, DeployContext ctx);

  // Each returns the deployment as it ended (succeeded, rolled_back, failed, paused, or
  // still running when the router could not be switched back), or an Error when the
  // request is refused (lock held, nothing to resume) or the store fails.
  Result<store::DeploymentRecord> Start(const DeployRequest& request);
  // The environment's interrupted deployment (its engine is gone): continue it.
  Result<store::DeploymentRecord> Resume();
  // A paused deployment: take the step as passed and go on.
  Result<store::DeploymentRecord> Promote();
  // A paused or interrupted deployment: roll it back.
  Result<store::DeploymentRecord> Abort();
  // Straight to `to_version` (empty: the last known-good release), no analysis.
  Result<store::DeploymentRecord> Rollback(const std::string& to_version,
                                           const std::string& trigger);

 private:
  Result<store::DeploymentRecord> TakeOver(bool want_paused, const char* what);
  // Starts the deployment `make` describes (asked again after each wait) under the
  // environment's lock: a live holder scaling down is waited for; with `preempt`, one
  // still waiting out its scale_down_delay gives way instead.
  Result<store::DeploymentRecord> Acquire(
      const std::function<Result<store::DeploymentRecord>()>& make, bool preempt);
  void Print(const std::string& line) const {
    if (ctx_.print) ctx_.print(line);
  }
  // Every secret the environment lists has a value in ctx.secrets.
  Status CheckSecrets() const;
  const spec::Environment& env_;
  DeployContext ctx_;
};

}  // namespace gauntlet::deploy
