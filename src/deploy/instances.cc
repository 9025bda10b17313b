// DeploymentRun for rolling and recreate: batches of instances, each taken out of the
// router, deployed and health-gated.
#include <fmt/core.h>

#include <algorithm>

#include "deploy/deployment_run.h"

namespace gauntlet::deploy {

std::vector<std::vector<const spec::Instance*>> DeploymentRun::Batches() const {
  std::vector<std::vector<const spec::Instance*>> out;
  size_t size = d_.strategy == "recreate" ? env_.instances.size()
                                          : static_cast<size_t>(std::max(1, env_.max_unavailable));
  for (size_t i = 0; i < env_.instances.size(); i += size) {
    std::vector<const spec::Instance*> batch;
    for (size_t j = i; j < std::min(env_.instances.size(), i + size); ++j)
      batch.push_back(&env_.instances[j]);
    out.push_back(std::move(batch));
  }
  return out;
}

Result<store::DeploymentRecord> DeploymentRun::DriveInstances() {
  const bool rollback = d_.strategy == kRollbackStrategy;
  auto batches = Batches();
  while (true) {
    const std::string phase = d_.phase;
    // A signal before promotion rolls back; from promotion on the release is finished.
    if (!rollback && (phase.empty() || phase == kPreDeploy || phase == kDeploy) && Interrupted())
      return RollBackInterrupted();
    if (phase.empty() || phase == kPreDeploy) {
      if (auto failed = PreDeploy(rollback)) return std::move(*failed);
      d_.step = 0;
    } else if (phase == kDeploy) {
      if (d_.step < 0) d_.step = 0;
      if (d_.step >= static_cast<int>(batches.size())) {
        d_.phase = kPromote;
        continue;
      }
      EnterPhase(kDeploy);
      const auto& batch = batches[d_.step];
      Print(fmt::format("  batch {}/{}", d_.step + 1, batches.size()));
      if (d_.strategy == "recreate") {
        for (const spec::Instance* i : batch) Stop(*i, d_.previous_version);
      }
      if (Status s = RouteInstances(batch); !s.ok()) return Fail("routing: " + s.error().message);
      for (const spec::Instance* i : batch) {
        if (Status s = DeployTo(*i, d_.version); !s.ok()) return Fail(s.error().message);
      }
      for (const spec::Instance* i : batch) {
        if (Status s = Health(*i, d_.version); !s.ok()) return Fail(s.error().message);
      }
      if (Status s = RouteInstances({}); !s.ok()) return Fail("routing: " + s.error().message);
      d_.step += 1;
    } else if (phase == kPromote) {
      EnterPhase(kPromote);
      store::StableRecord st{d_.environment, "",    d_.version,
                             d_.git_commit,  d_.id, ctx_.clock->UnixMs()};
      if (Status s = ctx_.store->SetStable(st); !s.ok()) Print("warning: " + s.error().message);
      if (rollback && !d_.previous_version.empty())
        RecordIncident(d_.previous_version, previous_commit_,
                       fmt::format("manual rollback of {} to {}: {}", d_.previous_version,
                                   d_.version, d_.trigger));
      d_.phase = kPostDeploy;
    } else if (phase == kPostDeploy) {
      EnterPhase(kPostDeploy);
      std::string reason;
      if (!rollback) {
        if (Status s = Hook(env_.post_deploy, kPostDeploy); !s.ok())
          reason = "post_deploy failed (release kept): " + s.error().message;
      }
      return Finish(store::kDeploySucceeded, reason);
    } else if (phase == kRollback) {
      return RollBackInstances(d_.reason);
    } else {
      return Finish(store::kDeployFailed, "unknown phase '" + phase + "'");
    }
  }
}

// The instances already given the new version (batches up to the current one) get the
// previous release again, health-gated; then every instance is back in the router.
Result<store::DeploymentRecord> DeploymentRun::RollBackInstances(const std::string& why) {
  d_.reason = why;
  EnterPhase(kRollback);
  Print("  rolling back: " + why);
  Event("rollback", why);
  if (d_.strategy == kRollbackStrategy)
    return Finish(store::kDeployFailed, "rollback failed: " + why);
  if (d_.previous_version.empty()) {
    if (!interrupted_) RecordIncident(d_.version, d_.git_commit, why);
    return Finish(store::kDeployFailed, "no previous release to roll back to: " + why);
  }
  auto batches = Batches();
  std::string problems;
  for (int b = 0; b <= d_.step && b < static_cast<int>(batches.size()); ++b) {
    for (const spec::Instance* i : batches[b]) {
      Status s = DeployTo(*i, d_.previous_version);
      if (s.ok()) s = Health(*i, d_.previous_version);
      if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.error().message;
    }
  }
  (void)RouteInstances({});
  if (!interrupted_) RecordIncident(d_.version, d_.git_commit, why);
  if (!problems.empty())
    return Finish(store::kDeployFailed,
                  why + "; restoring " + d_.previous_version + " failed: " + problems);
  return Finish(store::kDeployRolledBack, why);
}

}  // namespace gauntlet::deploy
