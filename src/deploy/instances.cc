// DeploymentRun for rolling and recreate: batches of instances. Rolling takes each batch
// out of the router, drains it, deploys and health-gates it, puts it back and watches
// the updated instances against the others; recreate stops everything first.
#include <fmt/core.h>

#include <algorithm>

#include "deploy/deployment_run.h"

namespace gauntlet::deploy {
namespace {

std::string Names(const Group& group) {
  std::string out;
  for (const spec::Instance* i : group) out += (out.empty() ? "" : " ") + i->name;
  return out;
}

}  // namespace

std::vector<Group> DeploymentRun::Batches() const {
  std::vector<Group> out;
  const bool recreate =
      (d_.strategy == kRollbackStrategy ? env_.strategy : d_.strategy) == "recreate";
  size_t size =
      recreate ? env_.instances.size() : static_cast<size_t>(std::max(1, env_.max_unavailable));
  for (size_t i = 0; i < env_.instances.size(); i += size) {
    Group batch;
    for (size_t j = i; j < std::min(env_.instances.size(), i + size); ++j)
      batch.push_back(&env_.instances[j]);
    out.push_back(std::move(batch));
  }
  return out;
}

Group DeploymentRun::Updated() const {
  Group out;
  auto batches = Batches();
  for (int b = 0; b <= d_.step && b < static_cast<int>(batches.size()); ++b)
    out.insert(out.end(), batches[b].begin(), batches[b].end());
  return out;
}

Result<store::DeploymentRecord> DeploymentRun::DriveInstances() {
  const bool rollback = d_.strategy == kRollbackStrategy;
  const bool recreate = d_.strategy == "recreate";
  auto batches = Batches();
  const int n = static_cast<int>(batches.size());
  while (true) {
    const std::string phase = d_.phase;
    // A signal before promotion rolls back; from promotion on the release is finished.
    if (!rollback &&
        (phase.empty() || phase == kPreDeploy || phase == kDeploy || phase == kAnalysis) &&
        Interrupted())
      return RollBackInterrupted();
    if (phase.empty() || phase == kPreDeploy) {
      if (auto failed = PreDeploy(rollback)) return std::move(*failed);
      d_.step = 0;
    } else if (phase == kDeploy) {
      if (d_.step < 0) d_.step = 0;
      if (d_.step >= n) {
        d_.phase = kPromote;
        continue;
      }
      const Group& batch = batches[d_.step];
      EnterPhase(kDeploy, fmt::format("batch {}/{}", d_.step + 1, n));
      Print(fmt::format("  batch {}/{}: {}", d_.step + 1, n, Names(batch)));
      if (recreate) {
        for (const spec::Instance* i : batch) Stop(*i, d_.previous_version);
      } else {
        if (Status s = RouteInstances(batch); !s.ok()) return Fail("routing: " + s.error().message);
        if (router_ && batch.size() < env_.instances.size()) Drain(Names(batch));
      }
      for (const spec::Instance* i : batch) {
        if (Status s = DeployTo(*i, d_.version); !s.ok()) return Fail(s.error().message);
      }
      for (const spec::Instance* i : batch) {
        if (Status s = Health(*i, d_.version); !s.ok()) return Fail(s.error().message);
      }
      if (Status s = RouteInstances({}); !s.ok()) return Fail("routing: " + s.error().message);
      // Rolling watches each batch once it serves, like a canary step (not on a first
      // deployment: there is nothing to go back to).
      const bool watch =
          !rollback && !recreate && env_.pause > Duration(0) && !d_.previous_version.empty();
      if (watch) {
        d_.phase = kAnalysis;
      } else {
        d_.step += 1;
      }
    } else if (phase == kAnalysis) {
      const std::string label = fmt::format("after batch {}/{}", d_.step + 1, n);
      EnterPhase(kAnalysis, label);
      Group updated = Updated(), rest;
      for (const auto& i : env_.instances) {
        if (std::find(updated.begin(), updated.end(), &i) == updated.end()) rest.push_back(&i);
      }
      Print(fmt::format(
          "  analysis {}: {} against {}", label, Names(updated),
          rest.empty() ? "the limits alone (no instance left on the old version)" : Names(rest)));
      if (auto end = Judge(Watch(env_.pause, env_.analysis, updated, rest), label))
        return std::move(*end);
      Advance();
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

// The instances given the new version get the previous release again, batch by batch
// (out of the router, drained, redeployed, health-gated); then every one is back in.
Result<store::DeploymentRecord> DeploymentRun::RollBackInstances(const std::string& why) {
  const Group updated = Updated();
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
  const bool recreate = d_.strategy == "recreate";
  std::string problems;
  auto problem = [&](const Status& s) {
    if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.error().message;
    return s.ok();
  };
  for (const Group& batch : Batches()) {
    Group restore;
    for (const spec::Instance* i : batch) {
      if (std::find(updated.begin(), updated.end(), i) != updated.end()) restore.push_back(i);
    }
    if (restore.empty()) continue;
    if (!recreate && problem(RouteInstances(restore)) && router_ &&
        restore.size() < env_.instances.size())
      Drain(Names(restore));
    for (const spec::Instance* i : restore) {
      if (problem(DeployTo(*i, d_.previous_version))) problem(Health(*i, d_.previous_version));
    }
  }
  problem(RouteInstances({}));
  if (!interrupted_) RecordIncident(d_.version, d_.git_commit, why);
  if (!problems.empty())
    return Finish(store::kDeployFailed,
                  why + "; restoring " + d_.previous_version + " failed: " + problems);
  return Finish(store::kDeployRolledBack, why);
}

}  // namespace gauntlet::deploy
