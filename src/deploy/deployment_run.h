// One deployment driven by this process: the state machine behind Deployer
// (deployer.h). Internal to the deploy layer. Its parts: records (deployment_run.cc),
// the actions every strategy uses: commands, health gates, traffic changes, draining
// (run_actions.cc), analysis (step_analysis.cc), the two-slot strategies canary and
// blue_green (two_slot.cc), their scale-down and rollback (scale_down.cc), and the
// instance strategies rolling and recreate (instances.cc). Phases, in order
// (docs/deploy.md, "Phases"):
//   pre_deploy -> deploy -> health -> analysis -> step (canary, one per entry) ->
//   promote -> bake -> post_deploy -> scale_down -> stop_old -> done
//   rolling: pre_deploy -> (deploy -> analysis) per batch -> promote -> post_deploy
//   and rollback -> done
// Every phase is saved before it acts, so a resumed deployment redoes the phase it was
// in (deploy commands and weight changes are idempotent by design: the same weights,
// the same version on the same slot). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "deploy/analysis.h"
#include "deploy/deployer.h"
#include "exec/masker.h"

namespace gauntlet::deploy {

inline constexpr const char* kPreDeploy = "pre_deploy";
inline constexpr const char* kDeploy = "deploy";
inline constexpr const char* kHealth = "health";
inline constexpr const char* kAnalysis = "analysis";
inline constexpr const char* kStep = "step";
inline constexpr const char* kPromote = "promote";
inline constexpr const char* kBake = "bake";
inline constexpr const char* kPostDeploy = "post_deploy";
inline constexpr const char* kScaleDown = "scale_down";  // waiting: a rollback may preempt it
inline constexpr const char* kStopOld = "stop_old";      // stopping the old slot: nobody may
inline constexpr const char* kRollback = "rollback";
inline constexpr const char* kRollbackStrategy = "rollback";  // `gauntlet rollback`

const spec::Instance* FindInstance(const spec::Environment& env, const std::string& name);
// canary and blue_green act on two slots; rolling and recreate on every instance.
bool IsTwoSlot(const std::string& strategy);
// "8081" of "10.0.0.5:8081": GAUNTLET_PORT.
std::string PortOf(const std::string& address);

// Instances a step's analysis compares: the new version's, and the baseline's.
using Group = std::vector<const spec::Instance*>;

class DeploymentRun {
 public:
  DeploymentRun(const spec::Environment& env, DeployContext& ctx, store::DeploymentRecord d);

  Result<store::DeploymentRecord> Drive();

  // A paused deployment a person promoted: the step counts as passed.
  Result<store::DeploymentRecord> PromoteAndDrive();

  // Rolls back from wherever the deployment is.
  Result<store::DeploymentRecord> AbortAndDrive(const std::string& why);

  // The commit of the release a manual rollback leaves (for its incident).
  void set_previous_commit(std::string commit) { previous_commit_ = std::move(commit); }

  // rollback_on_failure (deployer.h, DeployRequest): a new deployment records it as a
  // "setting" event; one taken over (promote, --resume, abort) reads it back.
  void RecordSettings(bool rollback_on_failure);
  void LoadSettings();

 private:
  const spec::Instance* Instance(const std::string& name) const { return FindInstance(env_, name); }
  Status Save();
  void Event(const std::string& kind, const std::string& detail, const std::string& verdict = "",
             const std::string& json = "");
  void Print(const std::string& line);
  // A store failure is printed by Save; traffic changes check it themselves (Route).
  void EnterPhase(const char* phase, const std::string& detail = "", const std::string& json = "");
  Result<store::DeploymentRecord> Finish(const char* state, const std::string& reason);
  Result<store::DeploymentRecord> Pause(const std::string& why);
  // Adds a window of the new version's probe to what the deployment observed (saved).
  void Observe(const ProbeStats& canary);
  // The pre_deploy phase of every strategy: its hook (none on a rollback), then on to
  // the deploy phase. A failed hook finishes the deployment (nothing was deployed): that
  // result is returned.
  std::optional<Result<store::DeploymentRecord>> PreDeploy(bool rollback);
  // Secret values as *** (ctx.secrets): everything recorded or printed goes through it.
  std::string Masked(const std::string& text) const { return masker_.MaskString(text); }
  // The secrets the environment lists, as environment variables for its commands.
  std::vector<std::pair<std::string, std::string>> SecretEnv() const;
  // The runner with SecretEnv() added to every request (the command router).
  CommandRunner WithSecretEnv() const;
  // A failure before promotion: rolled back, or with rollback_on_failure false held for
  // a person (paused, traffic back on the stable slot first).
  Result<store::DeploymentRecord> Fail(const std::string& why);
  // SIGINT/SIGTERM before promotion: rolled back like a failure, without an incident.
  bool Interrupted() const { return ctx_.interrupted && ctx_.interrupted(); }
  Result<store::DeploymentRecord> RollBackInterrupted();
  bool TwoSlot() const;
  void PutSlot(const std::string& slot, const std::string& version, bool running);
  void RecordIncident(const std::string& version, const std::string& commit,
                      const std::string& detail);
  std::vector<std::pair<std::string, std::string>> CommandEnv(const spec::Instance* inst,
                                                              const std::string& version) const;

  // Actions (run_actions.cc).
  // Runs one of the environment's commands; an Error when it did not exit 0.
  Status Command(const std::string& command, const std::string& what, const spec::Instance* inst,
                 const std::string& version);
  Status Hook(const std::string& command, const char* name);
  Status DeployTo(const spec::Instance& inst, const std::string& version);
  void Stop(const spec::Instance& inst, const std::string& version);
  Status Health(const spec::Instance& inst, const std::string& version);
  // Two slots: `weight` percent to the target, the rest to the stable slot. The intent
  // is recorded before the router acts, so a crash in between leaves a record.
  Status Route(int weight);
  // Instances: those in `out` get no traffic, the others share it equally.
  Status RouteInstances(const Group& out);
  // `what` no longer gets new requests: wait for the router's old connections to end
  // (nginx's old workers, at most drain_timeout), then the `drain` delay, so stopping
  // or replacing it drops no request in flight.
  void Drain(const std::string& what);

  // Analysis (step_analysis.cc).
  // `rules` for `total`: the probe on `canary` against `baseline` (empty: the error
  // rate against its floor alone, no p99), plus the query metrics; window by window.
  AnalysisPhase Watch(Duration total, const spec::Analysis& rules, const Group& canary,
                      const Group& baseline);
  // A finished analysis: nullopt to go on, else how the deployment ends (rolled back,
  // held, paused). `where` names the step for the reason ("at 20%").
  std::optional<Result<store::DeploymentRecord>> Judge(AnalysisPhase result,
                                                       const std::string& where);
  std::string LastFailure();

  // Two slots (two_slot.cc).
  Result<store::DeploymentRecord> DriveTwoSlots();
  // One canary step (d_.step): its weight, pause and analysis; nullopt when it passed.
  std::optional<Result<store::DeploymentRecord>> RunStep();
  // After an analysis passed (or a person promoted): the next phase.
  void Advance();
  bool SlotRuns(const std::string& slot, const std::string& version);
  void MakeStable(const spec::Instance& target);
  // Two slots (scale_down.cc). After post_deploy: the old slot is kept for
  // scale_down_delay (the instant rollback target; a countdown is printed), then
  // drained and stopped. The lock is held throughout; `gauntlet rollback` may preempt
  // the wait (the old slot is then left running). A manual rollback stops the slot it
  // left at once.
  // `resumed`: continuing a recorded scale_down / stop_old phase (what is left of it).
  Result<store::DeploymentRecord> ScaleDown(bool immediately, bool resumed);
  std::optional<Result<store::DeploymentRecord>> Countdown(const spec::Instance& old,
                                                           Duration left);
  // The record as a preempting rollback left it; nullopt while this engine holds it.
  std::optional<Result<store::DeploymentRecord>> Preempted();
  int64_t RecordedStopAt();
  // Traffic back to the stable slot first, then drained, then the new slot stopped,
  // then the incident.
  Result<store::DeploymentRecord> RollBack(const std::string& why);

  // Instances (instances.cc).
  std::vector<Group> Batches() const;
  Result<store::DeploymentRecord> DriveInstances();
  // The instances given the new version so far (batches up to the current one).
  Group Updated() const;
  // They get the previous release again, batch by batch (out of the router, drained,
  // redeployed, health-gated); then every instance is back in the router.
  Result<store::DeploymentRecord> RollBackInstances(const std::string& why);

  const spec::Environment& env_;
  DeployContext& ctx_;
  store::DeploymentRecord d_;
  std::unique_ptr<Router> router_;
  std::string previous_commit_;
  // Every finished probe request's latency on the new version since this process took
  // the deployment over (a resumed one starts afresh; its request counts do not).
  std::vector<double> observed_ms_;
  exec::Masker masker_;
  bool rollback_on_failure_ = true;
  bool interrupted_ = false;  // the rollback under way was asked for by a signal
  bool bake_passed_ = false;  // a person promoted a held or inconclusive bake
};

}  // namespace gauntlet::deploy
