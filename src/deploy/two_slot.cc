// DeploymentRun for canary and blue_green (two slots), and for rollbacks of such
// environments: the idle slot gets the version; traffic moves by weights.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "deploy/deployment_run.h"

namespace gauntlet::deploy {

Result<store::DeploymentRecord> DeploymentRun::DriveTwoSlots() {
  const bool rollback = d_.strategy == kRollbackStrategy;
  while (true) {
    const spec::Instance* target = Instance(d_.target_slot);
    if (!target) return Finish(store::kDeployFailed, "no slot '" + d_.target_slot + "'");
    const std::string phase = d_.phase;
    // A signal before promotion rolls back; from promotion on the release is finished.
    if (!rollback && phase != kRollback && phase != kPostDeploy && Interrupted())
      return RollBackInterrupted();
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
      d_.phase = (rollback || d_.stable_slot.empty()) ? kPromote : kAnalysis;
      d_.step = -1;
    } else if (phase == kAnalysis || phase == kStep) {
      int weight = 0;
      if (phase == kStep) {
        if (d_.step < 0) d_.step = 0;
        if (d_.step >= static_cast<int>(env_.steps.size()) || env_.steps[d_.step] >= 100) {
          d_.phase = kPromote;
          continue;
        }
        weight = env_.steps[d_.step];
      }
      EnterPhase(phase == kStep ? kStep : kAnalysis);
      Print(phase == kStep ? fmt::format("  step {}/{}: {}% to {}", d_.step + 1, env_.steps.size(),
                                         weight, d_.target_slot)
                           : fmt::format("  analysis of {} with no user traffic", d_.target_slot));
      if (Status s = Route(weight); !s.ok()) return Fail("routing: " + s.error().message);
      AnalysisPhase result = Analyse(env_.pause);
      if (Interrupted()) return RollBackInterrupted();
      Event("analysis", AnalysisPhaseName(result), AnalysisPhaseName(result));
      if (result == AnalysisPhase::kFailed || result == AnalysisPhase::kError)
        return Fail(fmt::format("analysis {} at {}% ({})", AnalysisPhaseName(result), weight,
                                LastFailure()));
      if (result == AnalysisPhase::kInconclusive)
        return Pause(fmt::format("analysis inconclusive at {}%", weight));
      Advance();
    } else if (phase == kPromote) {
      EnterPhase(kPromote);
      // A slot that broke since its analysis must not get all the traffic.
      if (Status s = Health(*target, d_.version); !s.ok()) return Fail(s.error().message);
      if (Status s = Route(100); !s.ok()) return Fail("promotion: " + s.error().message);
      MakeStable(*target);
      d_.phase = kPostDeploy;
    } else if (phase == kPostDeploy) {
      EnterPhase(kPostDeploy);
      std::string reason;
      if (!rollback) {
        if (Status s = Hook(env_.post_deploy, kPostDeploy); !s.ok())
          reason = "post_deploy failed (release kept): " + s.error().message;
      }
      auto done = Finish(store::kDeploySucceeded, reason);
      ScaleDown(rollback);
      return done;
    } else if (phase == kRollback) {
      return RollBack(d_.reason);
    } else {
      return Finish(store::kDeployFailed, "unknown phase '" + phase + "'");
    }
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

std::string DeploymentRun::LastFailure() {
  auto events = ctx_.store->GetDeploymentEvents(d_.id);
  if (!events.ok()) return "";
  for (auto it = events->rbegin(); it != events->rend(); ++it) {
    if (it->kind != "verdict" || (it->verdict != "fail" && it->verdict != "error")) continue;
    nlohmann::json m = nlohmann::json::parse(it->json, nullptr, false);
    std::string metric = m.is_object() ? m.value("metric", "") : "";
    return metric.empty() ? it->detail : metric + ": " + it->detail;
  }
  return "";
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

// The old slot is kept for scale_down_delay (an instant rollback target), then stopped,
// unless a rollback made it stable again meanwhile. A manual rollback stops the slot it
// left at once: it runs the release that was rolled back.
void DeploymentRun::ScaleDown(bool immediately) {
  const spec::Instance* old = Instance(d_.stable_slot);
  if (!old || d_.stable_slot == d_.target_slot) return;
  if (!immediately && env_.scale_down_delay > Duration(0)) {
    Print(fmt::format(
        "  keeping {} for {} ms (scale_down_delay)", old->name,
        std::chrono::duration_cast<std::chrono::milliseconds>(env_.scale_down_delay).count()));
    ctx_.clock->SleepFor(env_.scale_down_delay);
  }
  auto stable = ctx_.store->GetStable(d_.environment);
  if (stable.ok() && *stable && (*stable)->slot == old->name) return;  // rolled back to it
  Stop(*old, d_.previous_version);
}

// Traffic back to the stable slot first, then the new slot stopped, then the incident.
Result<store::DeploymentRecord> DeploymentRun::RollBack(const std::string& why) {
  d_.reason = why;
  EnterPhase(kRollback);
  Print("  rolling back: " + why);
  Event("rollback", why);
  const spec::Instance* target = Instance(d_.target_slot);
  const spec::Instance* stable = Instance(d_.stable_slot);
  if (d_.strategy == kRollbackStrategy) {
    // A rollback that fails leaves traffic where it was (it never moved).
    if (target) Stop(*target, d_.version);
    return Finish(store::kDeployFailed, "rollback failed: " + why);
  }
  if (stable) {
    if (Status s = Route(0); !s.ok()) {
      // Traffic could not be moved back: the deployment stays active (and resumable)
      // in the rollback phase rather than ending with traffic on a broken slot.
      d_.reason =
          Masked("rollback could not move traffic back (" + s.error().message + "): " + why);
      d_.engine_pid = 0;
      d_.engine_host.clear();
      if (Status saved = ctx_.store->UpdateDeployment(d_); !saved.ok()) return saved.error();
      Print(fmt::format("deployment {}: {}; retry with `gauntlet abort {}`", d_.id, d_.reason,
                        d_.environment));
      return d_;
    }
  }
  if (target) Stop(*target, d_.version);
  if (!interrupted_) RecordIncident(d_.version, d_.git_commit, why);
  if (!stable) return Finish(store::kDeployFailed, "no previous release to roll back to: " + why);
  return Finish(store::kDeployRolledBack, why);
}

}  // namespace gauntlet::deploy
