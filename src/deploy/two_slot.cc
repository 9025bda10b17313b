// DeploymentRun for canary and blue_green (two slots), and for rollbacks of such
// environments: the idle slot gets the version; traffic moves by weights.
#include <fmt/core.h>

#include "deploy/deployment_run.h"

namespace gauntlet::deploy {

Result<store::DeploymentRecord> DeploymentRun::DriveTwoSlots() {
  const bool rollback = d_.strategy == kRollbackStrategy;
  while (true) {
    const spec::Instance* target = Instance(d_.target_slot);
    const spec::Instance* stable = Instance(d_.stable_slot);
    if (!target) return Finish(store::kDeployFailed, "no slot '" + d_.target_slot + "'");
    const std::string phase = d_.phase;
    // A signal before the release is final rolls back; from post_deploy on it is final.
    const bool final =
        phase == kRollback || phase == kPostDeploy || phase == kScaleDown || phase == kStopOld;
    if (!rollback && !final && Interrupted()) return RollBackInterrupted();
    if (phase.empty() || phase == kPreDeploy) {
      if (auto failed = PreDeploy(rollback)) return std::move(*failed);
    } else if (phase == kDeploy) {
      EnterPhase(kDeploy);
      if (!(rollback && SlotRuns(d_.target_slot, d_.version))) {
        if (Status s = DeployTo(*target, d_.version); !s.ok()) return Fail(s.error().message);
      }
      d_.phase = kHealth;
    } else if (phase == kHealth) {
      EnterPhase(kHealth);
      if (Status s = Health(*target, d_.version); !s.ok()) return Fail(s.error().message);
      // Nothing to compare against on a first deployment, and a rollback is not analysed.
      d_.phase = (rollback || !stable) ? kPromote : kAnalysis;
      d_.step = -1;
    } else if (phase == kAnalysis) {
      EnterPhase(kAnalysis);
      if (Status s = Route(0); !s.ok()) return Fail("routing: " + s.error().message);
      const Duration pre = env_.analysis.pre_traffic;
      if (pre > Duration(0)) {
        Print(fmt::format("  analysis of {} with no user traffic for {}", d_.target_slot,
                          FormatDuration(pre)));
        if (auto end =
                Judge(Watch(pre, env_.analysis, {target}, {stable}), "at 0% (before traffic)"))
          return std::move(*end);
      }
      Advance();
    } else if (phase == kStep) {
      if (auto end = RunStep()) return std::move(*end);
    } else if (phase == kPromote) {
      EnterPhase(kPromote);
      // A slot that broke since its analysis must not get all the traffic.
      if (Status s = Health(*target, d_.version); !s.ok()) return Fail(s.error().message);
      if (Status s = Route(100); !s.ok()) return Fail("promotion: " + s.error().message);
      const bool bake = !rollback && stable && env_.bake > Duration(0) && !bake_passed_;
      d_.phase = bake ? kBake : kPostDeploy;
    } else if (phase == kBake) {
      EnterPhase(kBake, "for " + FormatDuration(env_.bake));
      Print(fmt::format("  bake: {} has all the traffic, watched for {}; {} kept ready", d_.version,
                        FormatDuration(env_.bake), d_.stable_slot));
      if (auto end =
              Judge(Watch(env_.bake, env_.analysis, {target}, {stable}), "in the bake at 100%"))
        return std::move(*end);
      d_.phase = kPostDeploy;
    } else if (phase == kPostDeploy) {
      EnterPhase(kPostDeploy);
      MakeStable(*target);
      if (!rollback) {
        if (Status s = Hook(env_.post_deploy, kPostDeploy); !s.ok())
          d_.reason = "post_deploy failed (release kept): " + s.error().message;
      }
      return ScaleDown(rollback, /*resumed=*/false);
    } else if (phase == kScaleDown || phase == kStopOld) {
      return ScaleDown(rollback, /*resumed=*/true);
    } else if (phase == kRollback) {
      return RollBack(d_.reason);
    } else {
      return Finish(store::kDeployFailed, "unknown phase '" + phase + "'");
    }
  }
}

// One canary step (d_.step): its weight, then its pause or analysis, watched.
std::optional<Result<store::DeploymentRecord>> DeploymentRun::RunStep() {
  const int n = static_cast<int>(env_.steps.size());
  if (d_.step < 0) d_.step = 0;
  if (d_.step >= n || env_.steps[d_.step].weight >= 100) {
    d_.phase = kPromote;  // the last step, or weight 100: the promotion
    return std::nullopt;
  }
  const spec::CanaryStep& step = env_.steps[d_.step];
  const std::string label =
      fmt::format("{}/{}: {}", d_.step + 1, n, spec::DescribeStep(step, env_.pause));
  EnterPhase(kStep, label);
  Print(fmt::format("  step {} ({})", label, d_.target_slot));
  if (step.weight >= 0) {
    if (Status s = Route(step.weight); !s.ok()) return Fail("routing: " + s.error().message);
  }
  const Group canary = {Instance(d_.target_slot)}, baseline = {Instance(d_.stable_slot)};
  const std::string where = fmt::format("at {}% (step {}/{})", d_.weight, d_.step + 1, n);
  const Duration pause = step.environment_pause ? env_.pause : step.pause;
  if (pause > Duration(0)) {
    if (auto end = Judge(Watch(pause, env_.analysis, canary, baseline), where)) return end;
  }
  if (step.analysis) {
    if (auto end = Judge(Watch(step.analysis_duration, *step.analysis, canary, baseline), where))
      return end;
  }
  if (step.pause_until_promoted)
    return Pause(fmt::format("step {}/{} pauses until promoted, {}% on {}", d_.step + 1, n,
                             d_.weight, d_.target_slot));
  Advance();
  return std::nullopt;
}

// After an analysis passed (or a person promoted): the next phase.
void DeploymentRun::Advance() {
  if (d_.phase == kAnalysis) {
    if (d_.strategy == "canary") {
      d_.phase = kStep;
      d_.step = 0;
    } else if (TwoSlot()) {
      d_.phase = kPromote;
    } else {
      d_.phase = kDeploy;  // rolling: the next batch
      d_.step += 1;
    }
  } else if (d_.phase == kStep) {
    d_.step += 1;
  } else if (d_.phase == kBake) {
    // Promoted by a person: all traffic back to the new version (a held bake moved it
    // back to the old slot), without another bake.
    bake_passed_ = true;
    d_.phase = kPromote;
  }
}

bool DeploymentRun::SlotRuns(const std::string& slot, const std::string& version) {
  auto slots = ctx_.store->GetSlots(d_.environment);
  if (!slots.ok()) return false;
  for (const auto& s : *slots) {
    if (s.slot == slot && s.version == version && s.running) return true;
  }
  return false;
}

void DeploymentRun::MakeStable(const spec::Instance& target) {
  std::string old_version = d_.previous_version;
  store::StableRecord st{d_.environment, target.name, d_.version,
                         d_.git_commit,  d_.id,       ctx_.clock->UnixMs()};
  if (Status s = ctx_.store->SetStable(st); !s.ok()) Print("warning: " + s.error().message);
  Event("stable", fmt::format("{} on {} is the stable release", d_.version, target.name));
  if (d_.strategy == kRollbackStrategy && !old_version.empty()) {
    RecordIncident(
        old_version, previous_commit_,
        fmt::format("manual rollback of {} to {}: {}", old_version, d_.version, d_.trigger));
  }
}

}  // namespace gauntlet::deploy
