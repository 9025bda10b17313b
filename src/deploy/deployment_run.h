// One deployment driven by this process: the state machine behind Deployer
// (deployer.h). Internal to the deploy layer. Its parts: records and actions
// (deployment_run.cc), analysis of a step (step_analysis.cc), the two-slot strategies
// canary and blue_green (two_slot.cc), the instance strategies rolling and recreate
// (instances.cc). Phases, in order (docs/deploy.md, "Phases"):
//   pre_deploy -> deploy -> health -> analysis -> step (canary, one per weight) ->
//   promote -> post_deploy -> done            and   rollback -> done
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
inline constexpr const char* kPostDeploy = "post_deploy";
inline constexpr const char* kRollback = "rollback";
inline constexpr const char* kRollbackStrategy = "rollback";  // `gauntlet rollback`

const spec::Instance* FindInstance(const spec::Environment& env, const std::string& name);
// canary and blue_green act on two slots; rolling and recreate on every instance.
bool IsTwoSlot(const std::string& strategy);

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
  void EnterPhase(const char* phase);
  Result<store::DeploymentRecord> Finish(const char* state, const std::string& reason);
  Result<store::DeploymentRecord> Pause(const std::string& why);
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
  Status RouteInstances(const std::vector<const spec::Instance*>& out);
  // After an analysis passed (or a person promoted): the next phase.
  void Advance();
  // The probe on both slots plus the query metrics, for `total`: the analysis's end.
  AnalysisPhase Analyse(Duration total);
  Result<store::DeploymentRecord> DriveTwoSlots();
  bool SlotRuns(const std::string& slot, const std::string& version);
  std::string LastFailure();
  void MakeStable(const spec::Instance& target);
  // The old slot is kept for scale_down_delay (an instant rollback target), then stopped,
  // unless a rollback made it stable again meanwhile. A manual rollback stops the slot it
  // left at once: it runs the release that was rolled back.
  void ScaleDown(bool immediately);
  // Traffic back to the stable slot first, then the new slot stopped, then the incident.
  Result<store::DeploymentRecord> RollBack(const std::string& why);
  std::vector<std::vector<const spec::Instance*>> Batches() const;
  Result<store::DeploymentRecord> DriveInstances();
  // The instances already given the new version (batches up to the current one) get the
  // previous release again, health-gated; then every instance is back in the router.
  Result<store::DeploymentRecord> RollBackInstances(const std::string& why);

  const spec::Environment& env_;
  DeployContext& ctx_;
  store::DeploymentRecord d_;
  std::unique_ptr<Router> router_;
  std::string previous_commit_;
  exec::Masker masker_;
  bool rollback_on_failure_ = true;
  bool interrupted_ = false;  // the rollback under way was asked for by a signal
};

}  // namespace gauntlet::deploy
