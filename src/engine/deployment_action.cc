// Whether a person's decision on a deployment named by its id makes sense now: the
// deployer's own rules (deploy/deployer.cc: TakeOver, Rollback), said before the action is
// queued, so an API call gets its 409 with the reason at once.
#include <fmt/core.h>

#include "deploy/deployment_run.h"
#include "engine/deployment.h"

namespace gauntlet::engine {
namespace {

std::string Who(const store::DeploymentRecord& d) {
  return fmt::format("deployment {} of {} (version {})", d.id, d.environment, d.version);
}

// Its engine is gone (killed, or the host restarted): what `abort` takes over.
bool EngineGone(const store::DeploymentRecord& d) {
  return d.engine_pid == 0 ||
         (d.engine_host == store::HostName() && !store::ProcessAlive(d.engine_pid));
}

Status CheckPromote(const store::DeploymentRecord& d) {
  if (d.state == store::kDeployPaused) return Ok();
  if (d.state == store::kDeployRunning)
    return Error::Conflict(Who(d) + " is running, not paused: only a paused deployment can be "
                                    "promoted");
  return Error::Conflict(Who(d) + " has ended (" + d.state +
                         "): only a paused deployment can be promoted");
}

Status CheckAbort(const store::DeploymentRecord& d) {
  if (d.state == store::kDeployPaused) return Ok();
  if (d.state != store::kDeployRunning)
    return Error::Conflict(Who(d) + " has ended (" + d.state + "): nothing to abort");
  if (!EngineGone(d))
    return Error::Conflict(fmt::format(
        "{} is being driven by pid {} on host {}: it rolls back on its own if it fails; "
        "nothing to abort",
        Who(d), d.engine_pid, d.engine_host));
  if (d.phase == deploy::kScaleDown || d.phase == deploy::kStopOld)
    return Error::Conflict(Who(d) +
                           " was promoted and only its scale-down was interrupted: roll it "
                           "back instead");
  return Ok();
}

Status CheckRollback(store::Store& store, const store::DeploymentRecord& d) {
  if (d.state == store::kDeployPaused)
    return Error::Conflict(Who(d) + " is paused: abort it to roll it back");
  if (d.state == store::kDeployRunning)
    return Error::Conflict(Who(d) + " is still running: it can be rolled back once it succeeded");
  if (d.state != store::kDeploySucceeded)
    return Error::Conflict(Who(d) + " has ended " + d.state +
                           ": only the environment's current release can be rolled back");
  auto stable = store.GetStable(d.environment);
  if (!stable.ok()) return stable.error();
  if (!*stable || (*stable)->deployment_id != d.id)
    return Error::Conflict(
        Who(d) + " is not the current release of " + d.environment +
        (*stable ? fmt::format(" (that is deployment {}, version {})", (*stable)->deployment_id,
                               (*stable)->version)
                 : std::string()) +
        ": only the current release can be rolled back");
  return Ok();
}

}  // namespace

Status CheckDeploymentAction(store::Store& store, const store::DeploymentRecord& d,
                             DeployAction action) {
  switch (action) {
    case DeployAction::kPromote: return CheckPromote(d);
    case DeployAction::kAbort: return CheckAbort(d);
    case DeployAction::kRollback: return CheckRollback(store, d);
    case DeployAction::kStart:
    case DeployAction::kResume:
      break;
  }
  return Error::Invalid("not a person's decision on a deployment");
}

}  // namespace gauntlet::engine
