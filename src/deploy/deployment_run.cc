// DeploymentRun: driving (Drive, promote, abort, failures) and records (the deployment
// row, its events, slots, incidents).
#include "deploy/deployment_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "deploy/health.h"
#include "spec/deploy_template.h"

namespace gauntlet::deploy {

const spec::Instance* FindInstance(const spec::Environment& env, const std::string& name) {
  for (const auto& i : env.instances) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

bool IsTwoSlot(const std::string& strategy) {
  return strategy == "canary" || strategy == "blue_green";
}

std::string PortOf(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? "" : address.substr(colon + 1);
}

namespace {

std::vector<std::string> SecretValues(const DeployContext& ctx) {
  std::vector<std::string> values;
  for (const auto& [name, value] : ctx.secrets) values.push_back(value);
  return values;
}

}  // namespace

DeploymentRun::DeploymentRun(const spec::Environment& env, DeployContext& ctx,
                             store::DeploymentRecord d)
    : env_(env),
      ctx_(ctx),
      d_(std::move(d)),
      masker_(SecretValues(ctx)),
      rollback_on_failure_(env.rollback_on_failure) {}

void DeploymentRun::RecordSettings(bool rollback_on_failure) {
  rollback_on_failure_ = env_.rollback_on_failure && rollback_on_failure;
  nlohmann::json j = {{"rollback_on_failure", rollback_on_failure_}};
  Event("setting",
        rollback_on_failure_ ? "rollback_on_failure: true (a failure rolls back)"
                             : "rollback_on_failure: false (a failure pauses for a person)",
        "", j.dump());
}

void DeploymentRun::LoadSettings() {
  rollback_on_failure_ = env_.rollback_on_failure;
  auto events = ctx_.store->GetDeploymentEvents(d_.id);
  if (!events.ok()) return;
  for (const auto& e : *events) {
    if (e.kind != "setting") continue;
    nlohmann::json j = nlohmann::json::parse(e.json, nullptr, false);
    if (j.is_object() && j.value("rollback_on_failure", true) == false)
      rollback_on_failure_ = false;
  }
}

bool DeploymentRun::TwoSlot() const {
  return IsTwoSlot(d_.strategy == kRollbackStrategy ? env_.strategy : d_.strategy);
}

std::vector<std::pair<std::string, std::string>> DeploymentRun::SecretEnv() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& name : env_.secrets) {
    for (const auto& kv : ctx_.secrets) {
      if (kv.first == name) out.push_back(kv);
    }
  }
  return out;
}

CommandRunner DeploymentRun::WithSecretEnv() const {
  auto extra = SecretEnv();
  if (extra.empty()) return ctx_.run;
  return [run = ctx_.run, extra](const CommandRequest& req) {
    CommandRequest with = req;
    with.env.insert(with.env.begin(), extra.begin(), extra.end());
    return run(with);
  };
}

// A failure before promotion: rolled back, or with rollback_on_failure false held for a
// person (paused, traffic back on the stable slot first).
Result<store::DeploymentRecord> DeploymentRun::Fail(const std::string& why) {
  if (rollback_on_failure_ || d_.strategy == kRollbackStrategy)
    return TwoSlot() ? RollBack(why) : RollBackInstances(why);
  if (TwoSlot() && Instance(d_.stable_slot) && d_.weight > 0) {
    // Never held with users on the failing slot: if traffic cannot go back, roll back
    // (which keeps the deployment active until traffic is back on stable).
    if (Status s = Route(0); !s.ok()) return RollBack(why);
  }
  if (!TwoSlot() && d_.phase == kAnalysis) {
    // The batches that failed their analysis serve users: out of the router they go.
    if (Status s = RouteInstances(Updated()); !s.ok()) return RollBackInstances(why);
  }
  Event("hold", why, "fail");
  return Pause("failed and held (rollback_on_failure: false): " + why);
}

// SIGINT/SIGTERM before promotion: rolled back like a failure, without an incident
// (nothing is known to be wrong with the release).
Result<store::DeploymentRecord> DeploymentRun::RollBackInterrupted() {
  interrupted_ = true;
  std::string why = "interrupted by a signal in phase " + d_.phase + ", rolled back";
  Print("  interrupted: moving traffic back to the stable release");
  return TwoSlot() ? RollBack(why) : RollBackInstances(why);
}

Result<store::DeploymentRecord> DeploymentRun::Drive() {
  // Only the user's own router command gets the secrets (not nginx).
  auto router = ctx_.make_router
                    ? ctx_.make_router(env_)
                    : MakeRouter(env_, env_.router == "command" ? WithSecretEnv() : ctx_.run);
  if (!router.ok()) return router.error();
  router_ = std::move(*router);
  const bool two_slot = TwoSlot();
  if (two_slot && env_.instances.size() != 2)
    return Finish(store::kDeployFailed,
                  d_.strategy +
                      " needs exactly two instances (the slots); the environment "
                      "has " +
                      std::to_string(env_.instances.size()));
  if (!two_slot && env_.instances.empty())
    return Finish(store::kDeployFailed, "the environment lists no instances");
  return two_slot ? DriveTwoSlots() : DriveInstances();
}

// A paused deployment a person promoted: the step counts as passed.
Result<store::DeploymentRecord> DeploymentRun::PromoteAndDrive() {
  Event("note", "promoted by a person at " + d_.phase);
  Advance();
  return Drive();
}

// Rolls back from wherever the deployment is.
Result<store::DeploymentRecord> DeploymentRun::AbortAndDrive(const std::string& why) {
  d_.phase = kRollback;
  d_.reason = why;
  return Drive();
}

Status DeploymentRun::Save() {
  d_.reason = Masked(d_.reason);
  Status s = ctx_.store->UpdateDeployment(d_);
  if (!s.ok()) Print("warning: recording the deployment: " + s.error().message);
  return s;
}

void DeploymentRun::Event(const std::string& kind, const std::string& detail,
                          const std::string& verdict, const std::string& json) {
  store::DeploymentEvent e;
  e.deployment_id = d_.id;
  e.at_ms = ctx_.clock->UnixMs();
  e.kind = kind;
  e.step = d_.step;
  e.weight = d_.weight;
  e.verdict = verdict;
  e.detail = Masked(detail);
  e.json = Masked(json);
  Status s = ctx_.store->AddDeploymentEvent(e);
  if (!s.ok()) Print("warning: recording an event: " + s.error().message);
}

void DeploymentRun::Print(const std::string& line) {
  if (ctx_.print) ctx_.print(Masked(line));
}

// A store failure is printed by Save; traffic changes check it themselves (Route).
void DeploymentRun::EnterPhase(const char* phase, const std::string& detail,
                               const std::string& json) {
  d_.phase = phase;
  (void)Save();
  Event("phase", detail.empty() ? phase : std::string(phase) + " " + detail, "", json);
}

Result<store::DeploymentRecord> DeploymentRun::Finish(const char* state,
                                                      const std::string& reason) {
  d_.state = state;
  d_.reason = Masked(reason);
  d_.finished_ms = ctx_.clock->UnixMs();
  if (Status s = ctx_.store->UpdateDeployment(d_); !s.ok()) return s.error();
  Event("end", std::string(state) + (reason.empty() ? "" : ": " + reason));
  Print(fmt::format("deployment {}: {}{}", d_.id, state, reason.empty() ? "" : " - " + reason));
  return d_;
}

std::optional<Result<store::DeploymentRecord>> DeploymentRun::PreDeploy(bool rollback) {
  EnterPhase(kPreDeploy);
  if (!rollback) {
    if (Status s = Hook(env_.pre_deploy, kPreDeploy); !s.ok())
      return Finish(store::kDeployFailed,
                    "pre_deploy failed, nothing deployed: " + s.error().message);
  }
  d_.phase = kDeploy;
  return std::nullopt;
}

Result<store::DeploymentRecord> DeploymentRun::Pause(const std::string& why) {
  d_.state = store::kDeployPaused;
  d_.reason = Masked(why);
  d_.engine_pid = 0;  // nobody drives it: promote / abort take it over
  d_.engine_host.clear();
  if (Status s = ctx_.store->UpdateDeployment(d_); !s.ok()) return s.error();
  Event("pause", why);
  Print(
      fmt::format("deployment {}: paused - {}; decide with `gauntlet promote {}` or "
                  "`gauntlet abort {}`",
                  d_.id, why, d_.environment, d_.environment));
  return d_;
}

void DeploymentRun::PutSlot(const std::string& slot, const std::string& version, bool running) {
  store::SlotRecord r{d_.environment, slot, version, d_.git_commit, running, ctx_.clock->UnixMs()};
  if (Status s = ctx_.store->PutSlot(r); !s.ok()) Print("warning: " + s.error().message);
}

void DeploymentRun::RecordIncident(const std::string& version, const std::string& commit,
                                   const std::string& detail) {
  store::IncidentRecord i;
  i.kind = "rollback";
  i.git_commit = commit;
  i.environment = d_.environment;
  i.version = version;
  i.detail = Masked(detail);
  i.at_ms = ctx_.clock->UnixMs();
  auto r = ctx_.store->RecordIncident(i);
  if (!r.ok()) Print("warning: recording the incident: " + r.error().message);
}

std::vector<std::pair<std::string, std::string>> DeploymentRun::CommandEnv(
    const spec::Instance* inst, const std::string& version) const {
  std::vector<std::pair<std::string, std::string>> env = {
      {"GAUNTLET_ENVIRONMENT", d_.environment},
      {"GAUNTLET_DEPLOYMENT", std::to_string(d_.id)},
      {"GAUNTLET_RELEASE_VERSION", version}};
  if (inst) {
    env.emplace_back("GAUNTLET_SLOT", inst->name);
    env.emplace_back("GAUNTLET_INSTANCE", inst->name);
    env.emplace_back("GAUNTLET_ADDRESS", inst->address);
    env.emplace_back("GAUNTLET_PORT", PortOf(inst->address));
  }
  auto secrets = SecretEnv();
  env.insert(env.end(), secrets.begin(), secrets.end());
  return env;
}

}  // namespace gauntlet::deploy
