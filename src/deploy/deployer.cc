// The deployment state machine. Phases, in order (docs/deploy.md, "Phases"):
//   pre_deploy -> deploy -> health -> analysis -> step (canary, one per weight) ->
//   promote -> post_deploy -> done            and   rollback -> done
// Every phase is saved before it acts, so a resumed deployment redoes the phase it was
// in (deploy commands and weight changes are idempotent by design: the same weights,
// the same version on the same slot).
#include "deploy/deployer.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "deploy/analysis.h"
#include "deploy/command_router.h"
#include "deploy/health.h"
#include "deploy/nginx_router.h"
#include "deploy/prometheus.h"
#include "deploy/web_metric.h"
#include "spec/deploy_template.h"

namespace gauntlet::deploy {
namespace {

constexpr const char* kPreDeploy = "pre_deploy";
constexpr const char* kDeploy = "deploy";
constexpr const char* kHealth = "health";
constexpr const char* kAnalysis = "analysis";
constexpr const char* kStep = "step";
constexpr const char* kPromote = "promote";
constexpr const char* kPostDeploy = "post_deploy";
constexpr const char* kRollback = "rollback";
constexpr const char* kRollbackStrategy = "rollback";

const spec::Instance* FindInstance(const spec::Environment& env, const std::string& name) {
  for (const auto& i : env.instances) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

bool IsTwoSlot(const std::string& strategy) {
  return strategy == "canary" || strategy == "blue_green";
}

// "${{ instance.address }}" in a health URL becomes the instance's address (a URL, not
// shell text: substituted directly).
std::string WithAddress(const std::string& text, const std::string& address) {
  auto rendered = spec::RenderDeployCommand(text);
  if (!rendered.ok()) return text;
  std::string out = *rendered;
  const std::string var = "${GAUNTLET_ADDRESS}";
  for (size_t at; (at = out.find(var)) != std::string::npos;) out.replace(at, var.size(), address);
  return out;
}

}  // namespace

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

// One deployment being driven by this process.
class Deployer::Run {
 public:
  Run(const spec::Environment& env, DeployContext& ctx, store::DeploymentRecord d)
      : env_(env), ctx_(ctx), d_(std::move(d)) {}

  Result<store::DeploymentRecord> Drive() {
    auto router = ctx_.make_router ? ctx_.make_router(env_) : MakeRouter(env_, ctx_.run);
    if (!router.ok()) return router.error();
    router_ = std::move(*router);
    two_slot_ = IsTwoSlot(d_.strategy == kRollbackStrategy ? env_.strategy : d_.strategy);
    if (two_slot_ && env_.instances.size() != 2)
      return Finish(store::kDeployFailed,
                    d_.strategy +
                        " needs exactly two instances (the slots); the environment "
                        "has " +
                        std::to_string(env_.instances.size()));
    if (!two_slot_ && env_.instances.empty())
      return Finish(store::kDeployFailed, "the environment lists no instances");
    return two_slot_ ? DriveTwoSlots() : DriveInstances();
  }

  // A paused deployment a person promoted: the step counts as passed.
  Result<store::DeploymentRecord> PromoteAndDrive() {
    Event("note", "promoted by a person at " + d_.phase);
    Advance();
    return Drive();
  }

  // Rolls back from wherever the deployment is.
  Result<store::DeploymentRecord> AbortAndDrive(const std::string& why) {
    d_.phase = kRollback;
    d_.reason = why;
    return Drive();
  }

 private:
  // ---- records ----
  Status Save() {
    Status s = ctx_.store->UpdateDeployment(d_);
    if (!s.ok()) Print("warning: recording the deployment: " + s.error().message);
    return s;
  }
  void Event(const std::string& kind, const std::string& detail, const std::string& verdict = "",
             const std::string& json = "") {
    store::DeploymentEvent e;
    e.deployment_id = d_.id;
    e.at_ms = ctx_.now_ms();
    e.kind = kind;
    e.step = d_.step;
    e.weight = d_.weight;
    e.verdict = verdict;
    e.detail = detail;
    e.json = json;
    Status s = ctx_.store->AddDeploymentEvent(e);
    if (!s.ok()) Print("warning: recording an event: " + s.error().message);
  }
  void Print(const std::string& line) {
    if (ctx_.print) ctx_.print(line);
  }
  // A store failure is printed by Save; traffic changes check it themselves (Route).
  void EnterPhase(const char* phase) {
    d_.phase = phase;
    (void)Save();
    Event("phase", phase);
  }
  Result<store::DeploymentRecord> Finish(const char* state, const std::string& reason) {
    d_.state = state;
    d_.reason = reason;
    d_.finished_ms = ctx_.now_ms();
    if (Status s = ctx_.store->UpdateDeployment(d_); !s.ok()) return s.error();
    Event("end", std::string(state) + (reason.empty() ? "" : ": " + reason));
    Print(fmt::format("deployment {}: {}{}", d_.id, state, reason.empty() ? "" : " - " + reason));
    return d_;
  }
  Result<store::DeploymentRecord> Pause(const std::string& why) {
    d_.state = store::kDeployPaused;
    d_.reason = why;
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
  void PutSlot(const std::string& slot, const std::string& version, bool running) {
    store::SlotRecord r{d_.environment, slot, version, d_.git_commit, running, ctx_.now_ms()};
    if (Status s = ctx_.store->PutSlot(r); !s.ok()) Print("warning: " + s.error().message);
  }
  void RecordIncident(const std::string& version, const std::string& commit,
                      const std::string& detail) {
    store::IncidentRecord i;
    i.kind = "rollback";
    i.git_commit = commit;
    i.environment = d_.environment;
    i.version = version;
    i.detail = detail;
    i.at_ms = ctx_.now_ms();
    auto r = ctx_.store->RecordIncident(i);
    if (!r.ok()) Print("warning: recording the incident: " + r.error().message);
  }

  // ---- actions ----
  const spec::Instance* Instance(const std::string& name) const { return FindInstance(env_, name); }
  std::vector<std::pair<std::string, std::string>> CommandEnv(const spec::Instance* inst,
                                                              const std::string& version) const {
    std::vector<std::pair<std::string, std::string>> env = {
        {"GAUNTLET_ENVIRONMENT", d_.environment},
        {"GAUNTLET_DEPLOYMENT", std::to_string(d_.id)},
        {"GAUNTLET_RELEASE_VERSION", version}};
    if (inst) {
      env.emplace_back("GAUNTLET_SLOT", inst->name);
      env.emplace_back("GAUNTLET_INSTANCE", inst->name);
      env.emplace_back("GAUNTLET_ADDRESS", inst->address);
    }
    return env;
  }
  // Runs one of the environment's commands; an Error when it did not exit 0.
  Status Command(const std::string& command, const std::string& what, const spec::Instance* inst,
                 const std::string& version) {
    if (command.empty()) return Ok();
    auto rendered = spec::RenderDeployCommand(command);
    if (!rendered.ok()) return Error{what + ": " + rendered.error().message};
    CommandRequest req{ShellArgv(*rendered, "gauntlet-" + what), CommandEnv(inst, version),
                       ctx_.command_timeout};
    auto r = ctx_.run(req);
    if (!r.ok()) return Error{what + ": " + r.error().message};
    std::string out = r->output;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (out.size() > 400) out = "..." + out.substr(out.size() - 400);
    if (r->timed_out) return Error{what + " timed out" + (out.empty() ? "" : ": " + out)};
    if (r->exit_code != 0)
      return Error{
          fmt::format("{} exited {}{}", what, r->exit_code, out.empty() ? "" : ": " + out)};
    return Ok();
  }
  Status Hook(const std::string& command, const char* name) {
    if (command.empty()) return Ok();
    Status s = Command(command, name, Instance(d_.target_slot), d_.version);
    Event("hook", s.ok() ? std::string(name) + " ok" : s.error().message, s.ok() ? "pass" : "fail");
    Print(fmt::format("  {}: {}", name, s.ok() ? "ok" : s.error().message));
    return s;
  }
  Status DeployTo(const spec::Instance& inst, const std::string& version) {
    Status s = Command(env_.deploy, "deploy", &inst, version);
    Event("deploy", s.ok() ? fmt::format("{} on {}", version, inst.name) : s.error().message,
          s.ok() ? "pass" : "fail");
    Print(fmt::format("  deploy {} to {}: {}", version, inst.name,
                      s.ok() ? "ok" : s.error().message));
    if (s.ok()) PutSlot(inst.name, version, true);
    return s;
  }
  void Stop(const spec::Instance& inst, const std::string& version) {
    if (env_.stop.empty()) {
      Event("stop", inst.name + " left running (no stop command)");
      return;
    }
    Status s = Command(env_.stop, "stop", &inst, version);
    Event("stop", s.ok() ? inst.name + " stopped" : s.error().message, s.ok() ? "pass" : "fail");
    Print(fmt::format("  stop {}: {}", inst.name, s.ok() ? "ok" : s.error().message));
    if (s.ok()) PutSlot(inst.name, version, false);
  }
  Status Health(const spec::Instance& inst, const std::string& version) {
    spec::HealthCheck h = env_.health;
    h.url = WithAddress(h.url, inst.address);
    if (h.type == "tcp") h.address = inst.address;
    CommandRunner run = ctx_.run;
    if (h.type == "command") {
      auto rendered = spec::RenderDeployCommand(h.command);
      if (rendered.ok()) h.command = *rendered;
      run = [this, &inst, version](const CommandRequest& req) {
        CommandRequest with = req;
        auto extra = CommandEnv(&inst, version);
        with.env.insert(with.env.end(), extra.begin(), extra.end());
        return ctx_.run(with);
      };
    }
    HealthResult r = WaitHealthy(h, MakeProbe(h, run), *ctx_.clock);
    std::string detail =
        fmt::format("{} {} after {} probe(s){}", inst.name, r.healthy ? "healthy" : "unhealthy",
                    r.probes, r.healthy ? "" : ": " + r.last_detail);
    Event("health", detail, r.healthy ? "pass" : "fail");
    Print("  health: " + detail);
    if (!r.healthy) return Error{"health check failed: " + detail};
    return Ok();
  }
  // Two slots: `weight` percent to the target, the rest to the stable slot. The intent
  // is recorded before the router acts, so a crash in between leaves a record.
  Status Route(int weight) {
    const spec::Instance* target = Instance(d_.target_slot);
    const spec::Instance* stable = Instance(d_.stable_slot);
    std::vector<SlotWeight> weights;
    if (stable) weights.push_back({stable->name, stable->address, 100 - weight});
    if (target && (weight > 0 || !stable))
      weights.push_back({target->name, target->address, weight});
    if (weights.empty() || (weights.size() == 1 && weights[0].weight == 0)) return Ok();
    std::string shown;
    for (const auto& w : weights)
      shown += fmt::format("{}{}={}", shown.empty() ? "" : " ", w.slot, w.weight);
    Event("traffic", "setting " + shown);
    Status s = router_ ? router_->SetWeights(weights) : Ok();
    if (!s.ok()) {
      Event("traffic", "router failed: " + s.error().message, "fail");
      Print("  traffic: router failed: " + s.error().message);
      return s;
    }
    d_.weight = weight;
    Status saved = Save();
    Event("traffic", "applied " + shown, "pass");
    Print("  traffic: " + shown);
    return saved;
  }
  // Instances: those in `out` get no traffic, the others share it equally.
  Status RouteInstances(const std::vector<const spec::Instance*>& out) {
    if (!router_ || env_.instances.size() < 2) return Ok();
    std::vector<SlotWeight> weights;
    for (const auto& i : env_.instances) {
      bool excluded = std::find(out.begin(), out.end(), &i) != out.end();
      weights.push_back({i.name, i.address, excluded ? 0 : 1});
    }
    Event("traffic",
          out.empty() ? "all instances in" : fmt::format("{} instance(s) out", out.size()));
    return router_->SetWeights(weights);
  }

  // The probe on both slots plus the query metrics, for `total`: the analysis's end.
  AnalysisPhase Analyse(Duration total) {
    const spec::Instance* target = Instance(d_.target_slot);
    const spec::Instance* stable = Instance(d_.stable_slot);
    AnalysisTally tally(env_.analysis);
    auto record = [&](const Measurement& m) {
      Event("verdict", m.detail, VerdictName(m.verdict), ToJson(m).dump());
      Print(fmt::format("  {} {}: {}", m.metric, VerdictName(m.verdict), m.detail));
      return tally.Add(m);
    };
    // Windows of `interval` (the last one shorter) that add up to `total`; counted rather
    // than timed so the probe's own duration decides the pace.
    const Duration full =
        std::max(env_.analysis.interval, Duration(std::chrono::milliseconds(200)));
    const int64_t windows = std::max<int64_t>(1, (total.count() + full.count() - 1) / full.count());
    for (int64_t i = 0; i < windows; ++i) {
      Duration window = i + 1 < windows ? full : total - full * i;
      if (window <= Duration(0)) break;
      AnalysisPhase phase = AnalysisPhase::kRunning;
      if (target && stable) {
        ProbeOptions po;
        po.rate_per_second = ctx_.probe_rate;
        po.window = window;
        po.timeout = std::min(Duration(std::chrono::seconds(5)),
                              std::max(window, Duration(std::chrono::seconds(1))));
        auto stats =
            RunProbe({"http://" + target->address + "/", "http://" + stable->address + "/"}, po);
        if (!stats.ok()) {
          Measurement m;
          m.metric = "probe";
          m.provider = "probe";
          m.verdict = Verdict::kError;
          m.window = window;
          m.detail = stats.error().message;
          phase = record(m);
        } else {
          phase = record(JudgeErrorRate((*stats)[0], (*stats)[1], env_.analysis));
          if (phase == AnalysisPhase::kRunning)
            phase = record(JudgeP99((*stats)[0], (*stats)[1], env_.analysis));
        }
      } else {
        ctx_.clock->SleepFor(window);
      }
      for (const spec::MetricQuery& q : env_.analysis.metrics) {
        if (phase != AnalysisPhase::kRunning || q.provider == "probe") continue;
        MetricSample sample = q.provider == "prometheus"
                                  ? QueryPrometheus(env_.analysis.prometheus_url, q.query, window)
                                  : QueryWeb(q.query, q.json_path, window);
        phase = record(JudgeQuery(q, sample, window));
      }
      if (phase != AnalysisPhase::kRunning) return phase;
    }
    return tally.Finish();
  }

  // After an analysis passed (or a person promoted): the next phase.
  void Advance() {
    if (d_.phase == kAnalysis) {
      if (d_.strategy == "canary") {
        d_.phase = kStep;
        d_.step = 0;
      } else {
        d_.phase = kPromote;
      }
    } else if (d_.phase == kStep) {
      d_.step += 1;
    }
  }

  // ---- two slots: canary, blue_green, and rollbacks of such environments ----
  Result<store::DeploymentRecord> DriveTwoSlots() {
    const bool rollback = d_.strategy == kRollbackStrategy;
    while (true) {
      const spec::Instance* target = Instance(d_.target_slot);
      if (!target) return Finish(store::kDeployFailed, "no slot '" + d_.target_slot + "'");
      const std::string phase = d_.phase;
      if (phase.empty() || phase == kPreDeploy) {
        EnterPhase(kPreDeploy);
        if (!rollback) {
          if (Status s = Hook(env_.pre_deploy, kPreDeploy); !s.ok())
            return Finish(store::kDeployFailed,
                          "pre_deploy failed, nothing deployed: " + s.error().message);
        }
        d_.phase = kDeploy;
      } else if (phase == kDeploy) {
        EnterPhase(kDeploy);
        if (!(rollback && SlotRuns(d_.target_slot, d_.version))) {
          if (Status s = DeployTo(*target, d_.version); !s.ok()) return RollBack(s.error().message);
        }
        d_.phase = kHealth;
      } else if (phase == kHealth) {
        EnterPhase(kHealth);
        if (Status s = Health(*target, d_.version); !s.ok()) return RollBack(s.error().message);
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
        Print(phase == kStep
                  ? fmt::format("  step {}/{}: {}% to {}", d_.step + 1, env_.steps.size(), weight,
                                d_.target_slot)
                  : fmt::format("  analysis of {} with no user traffic", d_.target_slot));
        if (Status s = Route(weight); !s.ok()) return RollBack("routing: " + s.error().message);
        AnalysisPhase result = Analyse(env_.pause);
        Event("analysis", AnalysisPhaseName(result), AnalysisPhaseName(result));
        if (result == AnalysisPhase::kFailed || result == AnalysisPhase::kError)
          return RollBack(fmt::format("analysis {} at {}% ({})", AnalysisPhaseName(result), weight,
                                      LastFailure()));
        if (result == AnalysisPhase::kInconclusive)
          return Pause(fmt::format("analysis inconclusive at {}%", weight));
        Advance();
      } else if (phase == kPromote) {
        EnterPhase(kPromote);
        // A slot that broke since its analysis must not get all the traffic.
        if (Status s = Health(*target, d_.version); !s.ok()) return RollBack(s.error().message);
        if (Status s = Route(100); !s.ok()) return RollBack("promotion: " + s.error().message);
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

  bool SlotRuns(const std::string& slot, const std::string& version) {
    auto slots = ctx_.store->GetSlots(d_.environment);
    if (!slots.ok()) return false;
    for (const auto& s : *slots) {
      if (s.slot == slot && s.version == version && s.running) return true;
    }
    return false;
  }

  std::string LastFailure() {
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

  void MakeStable(const spec::Instance& target) {
    std::string old_version = d_.previous_version;
    store::StableRecord st{d_.environment, target.name, d_.version,
                           d_.git_commit,  d_.id,       ctx_.now_ms()};
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
  void ScaleDown(bool immediately) {
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
  Result<store::DeploymentRecord> RollBack(const std::string& why) {
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
        d_.reason = "rollback could not move traffic back (" + s.error().message + "): " + why;
        d_.engine_pid = 0;
        d_.engine_host.clear();
        if (Status saved = ctx_.store->UpdateDeployment(d_); !saved.ok()) return saved.error();
        Print(fmt::format("deployment {}: {}; retry with `gauntlet abort {}`", d_.id, d_.reason,
                          d_.environment));
        return d_;
      }
    }
    if (target) Stop(*target, d_.version);
    RecordIncident(d_.version, d_.git_commit, why);
    if (!stable) return Finish(store::kDeployFailed, "no previous release to roll back to: " + why);
    return Finish(store::kDeployRolledBack, why);
  }

  // ---- instances: rolling, recreate ----
  std::vector<std::vector<const spec::Instance*>> Batches() const {
    std::vector<std::vector<const spec::Instance*>> out;
    size_t size = d_.strategy == "recreate"
                      ? env_.instances.size()
                      : static_cast<size_t>(std::max(1, env_.max_unavailable));
    for (size_t i = 0; i < env_.instances.size(); i += size) {
      std::vector<const spec::Instance*> batch;
      for (size_t j = i; j < std::min(env_.instances.size(), i + size); ++j)
        batch.push_back(&env_.instances[j]);
      out.push_back(std::move(batch));
    }
    return out;
  }

  Result<store::DeploymentRecord> DriveInstances() {
    const bool rollback = d_.strategy == kRollbackStrategy;
    auto batches = Batches();
    while (true) {
      const std::string phase = d_.phase;
      if (phase.empty() || phase == kPreDeploy) {
        EnterPhase(kPreDeploy);
        if (!rollback) {
          if (Status s = Hook(env_.pre_deploy, kPreDeploy); !s.ok())
            return Finish(store::kDeployFailed,
                          "pre_deploy failed, nothing deployed: " + s.error().message);
        }
        d_.phase = kDeploy;
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
        if (Status s = RouteInstances(batch); !s.ok())
          return RollBackInstances("routing: " + s.error().message);
        for (const spec::Instance* i : batch) {
          if (Status s = DeployTo(*i, d_.version); !s.ok())
            return RollBackInstances(s.error().message);
        }
        for (const spec::Instance* i : batch) {
          if (Status s = Health(*i, d_.version); !s.ok())
            return RollBackInstances(s.error().message);
        }
        if (Status s = RouteInstances({}); !s.ok())
          return RollBackInstances("routing: " + s.error().message);
        d_.step += 1;
      } else if (phase == kPromote) {
        EnterPhase(kPromote);
        store::StableRecord st{d_.environment, "", d_.version, d_.git_commit, d_.id, ctx_.now_ms()};
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
  Result<store::DeploymentRecord> RollBackInstances(const std::string& why) {
    d_.reason = why;
    EnterPhase(kRollback);
    Print("  rolling back: " + why);
    Event("rollback", why);
    if (d_.strategy == kRollbackStrategy)
      return Finish(store::kDeployFailed, "rollback failed: " + why);
    if (d_.previous_version.empty()) {
      RecordIncident(d_.version, d_.git_commit, why);
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
    RecordIncident(d_.version, d_.git_commit, why);
    if (!problems.empty())
      return Finish(store::kDeployFailed,
                    why + "; restoring " + d_.previous_version + " failed: " + problems);
    return Finish(store::kDeployRolledBack, why);
  }

 public:
  std::string previous_commit_;  // of the release a manual rollback leaves

 private:
  const spec::Environment& env_;
  DeployContext& ctx_;
  store::DeploymentRecord d_;
  std::unique_ptr<Router> router_;
  bool two_slot_ = false;
};

Deployer::Deployer(const spec::Environment& env, DeployContext ctx)
    : env_(env), ctx_(std::move(ctx)) {}

namespace {

// Why a new deployment cannot start: the holder of the environment's lock.
Error Refusal(const store::DeploymentRecord& h, const std::string& this_host) {
  std::string who = fmt::format("deployment {} of {} (version {}, {})", h.id, h.environment,
                                h.version, h.strategy);
  if (h.state == store::kDeployPaused)
    return Error{who + " is paused waiting for a person: `gauntlet promote " + h.environment +
                 "` or `gauntlet abort " + h.environment + "` first"};
  bool gone = h.engine_host == this_host && !store::ProcessAlive(h.engine_pid);
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

}  // namespace

Result<store::DeploymentRecord> Deployer::Start(const DeployRequest& request) {
  if (Status s = ValidateVersion(request.version); !s.ok()) return s.error();
  std::string strategy = request.strategy.empty() ? env_.strategy : request.strategy;
  if (strategy != "canary" && strategy != "blue_green" && strategy != "rolling" &&
      strategy != "recreate")
    return Error{"unknown strategy '" + strategy + "': recreate, rolling, blue_green or canary"};
  if (IsTwoSlot(strategy) && env_.instances.size() != 2)
    return Error{strategy + " needs exactly two instances (the slots) in environment '" +
                 env_.name + "'"};
  store::DeploymentRecord d;
  d.environment = env_.name;
  d.version = request.version;
  d.strategy = strategy;
  d.git_commit = request.git_commit;
  d.trigger = request.trigger;
  d.engine_pid = ctx_.pid;
  d.engine_host = ctx_.host;
  d.started_ms = ctx_.now_ms();
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
  auto started = ctx_.store->StartDeployment(d);
  if (!started.ok()) return started.error();
  if (started->holder) return Refusal(*started->holder, ctx_.host);
  d.id = started->id;
  if (ctx_.print)
    ctx_.print(fmt::format(
        "deployment {}: {} {} to {} ({}{})", d.id, env_.name, d.version,
        d.target_slot.empty() ? "instances" : "slot " + d.target_slot, strategy,
        d.stable_slot.empty() ? "" : ", stable " + d.previous_version + " on " + d.stable_slot));
  Run run(env_, ctx_, d);
  return run.Drive();
}

Result<store::DeploymentRecord> Deployer::TakeOver(bool want_paused, const char* what) {
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
  Run run(env_, ctx_, *d);
  return run.Drive();
}

Result<store::DeploymentRecord> Deployer::Promote() {
  auto d = TakeOver(true, "promote");
  if (!d.ok()) return d.error();
  d->reason.clear();
  Run run(env_, ctx_, *d);
  return run.PromoteAndDrive();
}

Result<store::DeploymentRecord> Deployer::Abort() {
  auto d = TakeOver(false, "abort");
  if (!d.ok()) return d.error();
  Run run(env_, ctx_, *d);
  return run.AbortAndDrive(d->phase == kRollback && !d->reason.empty() ? d->reason
                                                                       : "aborted by a person");
}

Result<store::DeploymentRecord> Deployer::Rollback(const std::string& to_version,
                                                   const std::string& trigger) {
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
  d.started_ms = ctx_.now_ms();
  d.previous_version = current;
  d.phase = kDeploy;
  if (IsTwoSlot(env_.strategy) && env_.instances.size() == 2) {
    d.stable_slot = *stable ? (*stable)->slot : "";
    if (FindInstance(env_, d.stable_slot) == nullptr) d.stable_slot.clear();
    // The slot already running that version if any (instant), else the idle one.
    d.target_slot =
        env_.instances[0].name == d.stable_slot ? env_.instances[1].name : env_.instances[0].name;
  }
  auto started = ctx_.store->StartDeployment(d);
  if (!started.ok()) return started.error();
  if (started->holder) return Refusal(*started->holder, ctx_.host);
  d.id = started->id;
  if (ctx_.print)
    ctx_.print(fmt::format("deployment {}: rolling {} back from {} to {}", d.id, env_.name,
                           current.empty() ? "(none)" : current, version));
  Run run(env_, ctx_, d);
  run.previous_commit_ = *stable ? (*stable)->git_commit : "";
  return run.Drive();
}

}  // namespace gauntlet::deploy
