// DeploymentRun for two slots, after the switch: the scale-down of the old slot (kept
// ready for an instant `gauntlet rollback`, then drained and stopped, under the lock),
// and the rollback of the new one.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "deploy/deployment_run.h"

namespace gauntlet::deploy {

namespace {

using std::chrono::milliseconds;

// Whole seconds left, rounded up: what the countdown shows.
int64_t SecondsLeft(Duration left) { return (left.count() + 999) / 1000; }

}  // namespace

// The stop time recorded when the scale-down began (a resumed deployment waits only
// what is left of it); now when none is recorded.
int64_t DeploymentRun::RecordedStopAt() {
  auto events = ctx_.store->GetDeploymentEvents(d_.id);
  if (events.ok()) {
    for (auto it = events->rbegin(); it != events->rend(); ++it) {
      nlohmann::json j = nlohmann::json::parse(it->json, nullptr, false);
      if (it->kind == "phase" && j.is_object() && j.contains("stop_at_ms"))
        return j["stop_at_ms"].get<int64_t>();
    }
  }
  return ctx_.clock->UnixMs();
}

// The record as a rollback that preempted this scale-down left it, when one did.
std::optional<Result<store::DeploymentRecord>> DeploymentRun::Preempted() {
  auto now = ctx_.store->GetDeployment(d_.id);
  if (!now.ok()) return Result<store::DeploymentRecord>(now.error());
  if (!*now) return Result<store::DeploymentRecord>(Error{"deployment vanished from the store"});
  const store::DeploymentRecord& r = **now;
  if (r.state == store::kDeployRunning && r.engine_pid == ctx_.pid && r.engine_host == ctx_.host)
    return std::nullopt;
  Print(fmt::format("deployment {}: {} - {} (the old slot {} was left running)", r.id, r.state,
                    r.reason, d_.stable_slot));
  // In place: GCC 12 at -O3 takes a moved-from temporary here for maybe-uninitialized.
  return std::optional<Result<store::DeploymentRecord>>(std::in_place, r);
}

// Waits out the scale-down delay through the clock, showing what it waits for, and
// watching the store for a rollback that preempts it.
std::optional<Result<store::DeploymentRecord>> DeploymentRun::Countdown(const spec::Instance& old,
                                                                        Duration left) {
  const TimePoint end = ctx_.clock->Now() + left;
  Print(fmt::format(
      "  scale-down: {} ({}) kept for {} for an instant `gauntlet rollback {}`, then stopped",
      old.name, d_.previous_version, FormatDuration(left), d_.environment));
  int64_t shown = SecondsLeft(left);
  while (true) {
    left = std::chrono::duration_cast<Duration>(end - ctx_.clock->Now());
    if (left <= Duration(0)) return std::nullopt;
    const int64_t seconds = SecondsLeft(left);
    if (seconds != shown && seconds % 5 == 0) {
      Print(fmt::format("  scale-down: stopping {} in {}s", old.name, seconds));
      shown = seconds;
    }
    ctx_.clock->SleepFor(std::min<Duration>(left, milliseconds(1000)));
    if (auto preempted = Preempted()) return preempted;
  }
}

Result<store::DeploymentRecord> DeploymentRun::ScaleDown(bool immediately, bool resumed) {
  const spec::Instance* old = Instance(d_.stable_slot);
  if (!old || d_.stable_slot == d_.target_slot) return Finish(store::kDeploySucceeded, d_.reason);
  if (!resumed || d_.phase == kScaleDown) {
    // `left` counts from before the phase is recorded, so a fresh scale-down shows the
    // configured delay ("kept for 30s"), not what is left after the store write.
    const int64_t now = ctx_.clock->UnixMs();
    const int64_t stop_at =
        resumed ? RecordedStopAt() : now + (immediately ? 0 : env_.scale_down_delay.count());
    if (!resumed)
      EnterPhase(kScaleDown, "of " + old->name, nlohmann::json{{"stop_at_ms", stop_at}}.dump());
    const Duration left{std::max<int64_t>(0, stop_at - now)};
    if (left > Duration(0)) {
      if (auto preempted = Countdown(*old, left)) return std::move(*preempted);
    }
    // From here on no rollback may switch back to the old slot: it is being stopped.
    auto won = ctx_.store->AdvanceDeploymentPhase(d_.id, kScaleDown, kStopOld, ctx_.pid, ctx_.host);
    if (!won.ok()) return won.error();
    if (!*won) {
      if (auto preempted = Preempted()) return std::move(*preempted);
      return Error{fmt::format("deployment {} left phase {} unexpectedly", d_.id, kScaleDown)};
    }
    d_.phase = kStopOld;
    Event("phase", kStopOld);
  }
  Drain(old->name);
  Stop(*old, d_.previous_version);
  return Finish(store::kDeploySucceeded, d_.reason);
}

// Traffic back to the stable slot first, then drained, then the new slot stopped, then
// the incident.
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
  const bool had_traffic = d_.weight > 0;
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
  if (target) {
    if (had_traffic) Drain(target->name);
    Stop(*target, d_.version);
  }
  if (!interrupted_) RecordIncident(d_.version, d_.git_commit, why);
  if (!stable) return Finish(store::kDeployFailed, "no previous release to roll back to: " + why);
  return Finish(store::kDeployRolledBack, why);
}

}  // namespace gauntlet::deploy
