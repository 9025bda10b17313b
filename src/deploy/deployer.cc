// Deployer: starting, resuming, promoting, aborting and rolling back deployments (the
// lock and the takeover of an interrupted one); DeploymentRun drives each.
#include "deploy/deployer.h"

#include <fmt/core.h>

#include <utility>

#include "deploy/command_router.h"
#include "deploy/deployment_run.h"
#include "deploy/nginx_router.h"
#include "exec/masker.h"

namespace gauntlet::deploy {

Status ValidateVersion(const std::string& version) {
  bool ok = !version.empty() && version.size() <= 128;
  for (unsigned char c : version) {
    ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-');
  }
  if (!ok)
    return Error{"bad version '" + version +
                 "': use 1 to 128 letters, digits, '.', '_', '+' or '-' (e.g. 1.4.2)"};
  return Ok();
}

Result<std::unique_ptr<Router>> MakeRouter(const spec::Environment& env, CommandRunner run) {
  if (env.router == "nginx") {
    NginxRouterOptions o;
    o.upstream_file = env.nginx_upstream_file;
    o.upstream_name = env.nginx_upstream_name;
    if (!env.nginx_command.empty()) o.nginx = env.nginx_command;
    return std::unique_ptr<Router>(std::make_unique<NginxRouter>(std::move(o), std::move(run)));
  }
  if (env.router == "command") {
    return std::unique_ptr<Router>(std::make_unique<CommandRouter>(
        ShellArgv(env.router_command, "gauntlet-router"), std::move(run)));
  }
  return std::unique_ptr<Router>();
}

namespace {

// Every command's captured output with the secret values masked, before anything
// (errors, routers, health probes) can copy it into a record or a line.
CommandRunner MaskingRunner(CommandRunner run,
                            const std::vector<std::pair<std::string, std::string>>& secrets) {
  std::vector<std::string> values;
  for (const auto& [name, value] : secrets) values.push_back(value);
  auto masker = std::make_shared<const exec::Masker>(std::move(values));
  if (masker->empty()) return run;
  return [run = std::move(run), masker](const CommandRequest& req) -> Result<CommandResult> {
    auto r = run(req);
    if (!r.ok()) return Error{masker->MaskString(r.error().message)};
    r->output = masker->MaskString(r->output);
    return r;
  };
}

}  // namespace

Deployer::Deployer(const spec::Environment& env, DeployContext ctx)
    : env_(env), ctx_(std::move(ctx)) {
  ctx_.run = MaskingRunner(std::move(ctx_.run), ctx_.secrets);
}

Status Deployer::CheckSecrets() const {
  for (const std::string& name : env_.secrets) {
    bool found = false;
    for (const auto& kv : ctx_.secrets) found = found || kv.first == name;
    if (!found)
      return Error{"secret " + name + " (listed by environment '" + env_.name +
                   "') has no value: set it in gauntlet's environment or a --secrets-file"};
  }
  return Ok();
}

namespace {

// Why a new deployment cannot start: the holder of the environment's lock.
Error Refusal(const store::DeploymentRecord& h, const std::string& this_host) {
  std::string who = fmt::format("deployment {} of {} (version {}, {})", h.id, h.environment,
                                h.version, h.strategy);
  if (h.state == store::kDeployPaused)
    return Error{who + " is paused waiting for a person: `gauntlet promote " + h.environment +
                 "` or `gauntlet abort " + h.environment + "` first"};
  bool gone = h.engine_host == this_host && !store::ProcessAlive(h.engine_pid);
  bool released = h.phase == kScaleDown || h.phase == kStopOld;
  if ((gone || h.engine_pid == 0) && released)
    return Error{fmt::format(
        "{} was interrupted while scaling down its old slot (its engine, pid {} on {}, is "
        "gone): `gauntlet deploy {} --resume` stops it, `gauntlet rollback {}` goes back to it",
        who, h.engine_pid, h.engine_host, h.environment, h.environment)};
  if (gone || h.engine_pid == 0)
    return Error{
        fmt::format("{} was interrupted in phase {} (its engine, pid {} on {}, is gone): "
                    "`gauntlet deploy {} --resume` finishes it, `gauntlet abort {}` rolls "
                    "it back",
                    who, h.phase, h.engine_pid, h.engine_host, h.environment, h.environment)};
  return Error{
      fmt::format("{} is in progress, driven by pid {} on host {}: one deployment per "
                  "environment at a time, this one is refused",
                  who, h.engine_pid, h.engine_host)};
}

// A holder whose engine still runs and is only scaling down: worth waiting for.
bool ScalingDown(const store::DeploymentRecord& h, const std::string& this_host) {
  bool alive =
      h.engine_pid != 0 && (h.engine_host != this_host || store::ProcessAlive(h.engine_pid));
  return alive && h.state == store::kDeployRunning &&
         (h.phase == kScaleDown || h.phase == kStopOld);
}

}  // namespace

Result<store::DeploymentRecord> Deployer::Acquire(
    const std::function<Result<store::DeploymentRecord>()>& make, bool preempt) {
  // Bounded by what a scale-down can take; the holder's liveness is checked each time.
  const Duration longest = env_.scale_down_delay + env_.drain_timeout + env_.drain +
                           ctx_.command_timeout + std::chrono::minutes(1);
  const TimePoint start = ctx_.clock->Now();
  bool told = false;
  while (true) {
    auto d = make();
    if (!d.ok()) return d.error();
    const std::string reason =
        fmt::format("released at once: {} rolled {} back to {} during the scale-down", d->trigger,
                    env_.name, d->version);
    auto started = preempt ? ctx_.store->StartDeploymentPreempting(*d, kScaleDown, reason)
                           : ctx_.store->StartDeployment(*d);
    if (!started.ok()) return started.error();
    if (!started->holder) {
      d->id = started->id;
      return *d;
    }
    const store::DeploymentRecord& h = *started->holder;
    const bool interrupted = ctx_.interrupted && ctx_.interrupted();
    if (!ScalingDown(h, ctx_.host) || interrupted || ctx_.clock->Now() - start > longest)
      return Refusal(h, ctx_.host);
    if (!told)
      Print(
          fmt::format("waiting for deployment {} of {} ({}) to finish scaling down slot {}, "
                      "pid {} on {}",
                      h.id, h.environment, h.version, h.stable_slot, h.engine_pid, h.engine_host));
    told = true;
    ctx_.clock->SleepFor(std::chrono::milliseconds(200));
  }
}

Result<store::DeploymentRecord> Deployer::Start(const DeployRequest& request) {
  if (Status s = ValidateVersion(request.version); !s.ok()) return s.error();
  if (Status s = CheckSecrets(); !s.ok()) return s.error();
  std::string strategy = request.strategy.empty() ? env_.strategy : request.strategy;
  if (strategy != "canary" && strategy != "blue_green" && strategy != "rolling" &&
      strategy != "recreate")
    return Error{"unknown strategy '" + strategy + "': recreate, rolling, blue_green or canary"};
  if (IsTwoSlot(strategy) && env_.instances.size() != 2)
    return Error{strategy + " needs exactly two instances (the slots) in environment '" +
                 env_.name + "'"};
  // Overridden on the command line: what the environment sets for its own strategy
  // and this one does not use is said, not silently dropped.
  for (const auto& [key, loc] : spec::KeysUnusedBy(env_, strategy))
    Print(fmt::format("note: {} (line {}) is not used by {}", key, loc.line, strategy));
  auto make = [&]() -> Result<store::DeploymentRecord> {
    store::DeploymentRecord d;
    d.environment = env_.name;
    d.version = request.version;
    d.strategy = strategy;
    d.git_commit = request.git_commit;
    d.trigger = request.trigger;
    d.engine_pid = ctx_.pid;
    d.engine_host = ctx_.host;
    d.started_ms = ctx_.clock->UnixMs();
    auto stable = ctx_.store->GetStable(env_.name);
    if (!stable.ok()) return stable.error();
    if (*stable) {
      d.previous_version = (*stable)->version;
      d.stable_slot = IsTwoSlot(strategy) ? (*stable)->slot : "";
    }
    if (IsTwoSlot(strategy)) {
      // The idle slot: the one that is not stable (the first one on a first deployment).
      d.target_slot =
          env_.instances[0].name == d.stable_slot ? env_.instances[1].name : env_.instances[0].name;
      if (FindInstance(env_, d.stable_slot) == nullptr) d.stable_slot.clear();
    }
    return d;
  };
  auto d = Acquire(make, /*preempt=*/false);
  if (!d.ok()) return d.error();
  Print(fmt::format(
      "deployment {}: {} {} to {} ({}{})", d->id, env_.name, d->version,
      d->target_slot.empty() ? "instances" : "slot " + d->target_slot, strategy,
      d->stable_slot.empty() ? "" : ", stable " + d->previous_version + " on " + d->stable_slot));
  DeploymentRun run(env_, ctx_, *d);
  run.RecordSettings(request.rollback_on_failure);
  return run.Drive();
}

Result<store::DeploymentRecord> Deployer::TakeOver(bool want_paused, const char* what) {
  if (Status s = CheckSecrets(); !s.ok()) return s.error();
  auto active = ctx_.store->ActiveDeployment(env_.name);
  if (!active.ok()) return active.error();
  if (!*active) return Error{"environment '" + env_.name + "' has no deployment to " + what};
  store::DeploymentRecord d = **active;
  bool paused = d.state == store::kDeployPaused;
  bool gone = paused || d.engine_pid == 0 ||
              (d.engine_host == ctx_.host && !store::ProcessAlive(d.engine_pid));
  if (!gone)
    return Error{
        fmt::format("deployment {} of {} is being driven by pid {} on host {}: nothing to {}", d.id,
                    d.environment, d.engine_pid, d.engine_host, what)};
  if (!want_paused && paused && std::string(what) == "resume")
    return Error{
        fmt::format("deployment {} of {} is paused waiting for a person, not interrupted: "
                    "`gauntlet promote {}` or `gauntlet abort {}`",
                    d.id, d.environment, d.environment, d.environment)};
  if (std::string(what) != "resume" && (d.phase == kScaleDown || d.phase == kStopOld))
    return Error{fmt::format(
        "deployment {} of {} was promoted and only its scale-down was interrupted: "
        "`gauntlet deploy {} --resume` stops the old slot, `gauntlet rollback {}` goes back",
        d.id, d.environment, d.environment, d.environment)};
  if (want_paused && !paused)
    return Error{
        fmt::format("deployment {} of {} is not paused (it was interrupted in phase {}): "
                    "`gauntlet deploy {} --resume` or `gauntlet abort {}`",
                    d.id, d.environment, d.phase, d.environment, d.environment)};
  auto claimed =
      ctx_.store->ClaimDeployment(d.id, d.engine_pid, d.engine_host, ctx_.pid, ctx_.host);
  if (!claimed.ok()) return claimed.error();
  if (!*claimed) return Error{fmt::format("deployment {} was taken over by another process", d.id)};
  d.engine_pid = ctx_.pid;
  d.engine_host = ctx_.host;
  d.state = store::kDeployRunning;
  (void)ctx_.store->SetDeploymentRequest(d.id, what);
  return d;
}

Result<store::DeploymentRecord> Deployer::Resume() {
  auto d = TakeOver(false, "resume");
  if (!d.ok()) return d.error();
  if (d->phase.empty()) d->phase = kPreDeploy;
  if (ctx_.print)
    ctx_.print(fmt::format("deployment {}: resuming {} {} in phase {}", d->id, d->environment,
                           d->version, d->phase));
  if (d->reason.empty() && d->phase == kRollback) d->reason = "resumed rollback";
  DeploymentRun run(env_, ctx_, *d);
  run.LoadSettings();
  return run.Drive();
}

Result<store::DeploymentRecord> Deployer::Promote() {
  auto d = TakeOver(true, "promote");
  if (!d.ok()) return d.error();
  d->reason.clear();
  DeploymentRun run(env_, ctx_, *d);
  run.LoadSettings();
  return run.PromoteAndDrive();
}

Result<store::DeploymentRecord> Deployer::Abort() {
  auto d = TakeOver(false, "abort");
  if (!d.ok()) return d.error();
  DeploymentRun run(env_, ctx_, *d);
  return run.AbortAndDrive(d->phase == kRollback && !d->reason.empty() ? d->reason
                                                                       : "aborted by a person");
}

Result<store::DeploymentRecord> Deployer::Rollback(const std::string& to_version,
                                                   const std::string& trigger) {
  if (Status s = CheckSecrets(); !s.ok()) return s.error();
  std::string previous_commit;
  // Asked again after waiting for a scale-down that could not be preempted.
  auto make = [&]() -> Result<store::DeploymentRecord> {
    auto stable = ctx_.store->GetStable(env_.name);
    if (!stable.ok()) return stable.error();
    std::string version = to_version, commit;
    auto history = ctx_.store->ListDeployments(env_.name, 500);
    if (!history.ok()) return history.error();
    const std::string current = *stable ? (*stable)->version : "";
    bool found = false;
    for (const auto& h : *history) {
      if (h.state != store::kDeploySucceeded) continue;
      if (version.empty() ? h.version != current : h.version == version) {
        version = h.version;
        commit = h.git_commit;
        found = true;
        break;
      }
    }
    if (!found && to_version.empty())
      return Error{"environment '" + env_.name +
                   "' has no earlier successful release to roll back to"};
    if (!found)
      return Error{"version " + to_version + " never deployed successfully to " + env_.name +
                   ": `gauntlet rollback` only goes back to a known-good release"};
    if (Status s = ValidateVersion(version); !s.ok()) return s.error();
    if (version == current)
      return Error{"version " + version + " is already the stable release of " + env_.name};
    store::DeploymentRecord d;
    d.environment = env_.name;
    d.version = version;
    d.strategy = kRollbackStrategy;
    d.git_commit = commit;
    d.trigger = trigger;
    d.engine_pid = ctx_.pid;
    d.engine_host = ctx_.host;
    d.started_ms = ctx_.clock->UnixMs();
    d.previous_version = current;
    d.phase = kDeploy;
    if (IsTwoSlot(env_.strategy) && env_.instances.size() == 2) {
      d.stable_slot = *stable ? (*stable)->slot : "";
      if (FindInstance(env_, d.stable_slot) == nullptr) d.stable_slot.clear();
      // The slot already running that version if any (instant), else the idle one.
      d.target_slot =
          env_.instances[0].name == d.stable_slot ? env_.instances[1].name : env_.instances[0].name;
    }
    previous_commit = *stable ? (*stable)->git_commit : "";
    return d;
  };
  auto d = Acquire(make, /*preempt=*/true);
  if (!d.ok()) return d.error();
  Print(fmt::format("deployment {}: rolling {} back from {} to {}", d->id, env_.name,
                    d->previous_version.empty() ? "(none)" : d->previous_version, d->version));
  DeploymentRun run(env_, ctx_, *d);
  run.set_previous_commit(previous_commit);
  return run.Drive();
}

}  // namespace gauntlet::deploy
