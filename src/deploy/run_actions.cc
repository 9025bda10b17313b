// DeploymentRun's actions, shared by every strategy: the environment's commands, health
// gates, traffic changes through the router, and draining before a stop.
#include <fmt/core.h>

#include <algorithm>

#include "deploy/deployment_run.h"
#include "deploy/health.h"
#include "spec/deploy_template.h"

namespace gauntlet::deploy {
namespace {

// "${{ instance.address }}" and "${{ instance.port }}" in a health URL become the
// instance's address and port (a URL, not shell text: substituted directly).
std::string WithAddress(const std::string& text, const std::string& address) {
  auto rendered = spec::RenderDeployCommand(text);
  if (!rendered.ok()) return text;
  std::string out = *rendered;
  for (const auto& [var, value] :
       {std::pair<std::string, std::string>{"${GAUNTLET_ADDRESS}", address},
        {"${GAUNTLET_PORT}", PortOf(address)}}) {
    for (size_t at; (at = out.find(var)) != std::string::npos;) out.replace(at, var.size(), value);
  }
  return out;
}

}  // namespace

// Runs one of the environment's commands; an Error when it did not exit 0.
Status DeploymentRun::Command(const std::string& command, const std::string& what,
                              const spec::Instance* inst, const std::string& version) {
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
    return Error{fmt::format("{} exited {}{}", what, r->exit_code, out.empty() ? "" : ": " + out)};
  return Ok();
}

Status DeploymentRun::Hook(const std::string& command, const char* name) {
  if (command.empty()) return Ok();
  Status s = Command(command, name, Instance(d_.target_slot), d_.version);
  Event("hook", s.ok() ? std::string(name) + " ok" : s.error().message, s.ok() ? "pass" : "fail");
  Print(fmt::format("  {}: {}", name, s.ok() ? "ok" : s.error().message));
  return s;
}

Status DeploymentRun::DeployTo(const spec::Instance& inst, const std::string& version) {
  Status s = Command(env_.deploy, "deploy", &inst, version);
  Event("deploy", s.ok() ? fmt::format("{} on {}", version, inst.name) : s.error().message,
        s.ok() ? "pass" : "fail");
  Print(
      fmt::format("  deploy {} to {}: {}", version, inst.name, s.ok() ? "ok" : s.error().message));
  if (s.ok()) PutSlot(inst.name, version, true);
  return s;
}

void DeploymentRun::Stop(const spec::Instance& inst, const std::string& version) {
  if (env_.stop.empty()) {
    Event("stop", inst.name + " left running (no stop command)");
    return;
  }
  Status s = Command(env_.stop, "stop", &inst, version);
  Event("stop", s.ok() ? inst.name + " stopped" : s.error().message, s.ok() ? "pass" : "fail");
  Print(fmt::format("  stop {}: {}", inst.name, s.ok() ? "ok" : s.error().message));
  if (s.ok()) PutSlot(inst.name, version, false);
}

Status DeploymentRun::Health(const spec::Instance& inst, const std::string& version) {
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
Status DeploymentRun::Route(int weight) {
  const spec::Instance* target = Instance(d_.target_slot);
  const spec::Instance* stable = Instance(d_.stable_slot);
  std::vector<SlotWeight> weights;
  if (stable) weights.push_back({stable->name, stable->address, 100 - weight});
  if (target && (weight > 0 || !stable)) weights.push_back({target->name, target->address, weight});
  if (weights.empty() || (weights.size() == 1 && weights[0].weight == 0)) return Ok();
  std::string shown;
  for (const auto& w : weights)
    shown += fmt::format("{}{}={}", shown.empty() ? "" : " ", w.slot, w.weight);
  Event("traffic", "setting " + shown);
  Result<bool> changed = router_ ? router_->SetWeights(weights) : Result<bool>(false);
  if (!changed.ok()) {
    Event("traffic", "router failed: " + changed.error().message, "fail");
    Print("  traffic: router failed: " + changed.error().message);
    return changed.error();
  }
  d_.weight = weight;
  Status saved = Save();
  const char* how = *changed ? "" : " (already in effect: router left alone)";
  Event("traffic", "applied " + shown + how, "pass");
  Print("  traffic: " + shown + how);
  return saved;
}

// Instances: those in `out` get no traffic, the others share it equally. Taking every
// instance out would send traffic nowhere: then the router is left as it is.
Status DeploymentRun::RouteInstances(const Group& out) {
  if (!router_ || env_.instances.size() < 2 || out.size() >= env_.instances.size()) return Ok();
  std::vector<SlotWeight> weights;
  std::string shown;
  for (const auto& i : env_.instances) {
    bool excluded = std::find(out.begin(), out.end(), &i) != out.end();
    weights.push_back({i.name, i.address, excluded ? 0 : 1});
    shown += (shown.empty() ? "" : " ") + i.name + (excluded ? "=0" : "=1");
  }
  Event("traffic", "setting " + shown);
  Result<bool> changed = router_->SetWeights(weights);
  if (!changed.ok()) {
    Event("traffic", "router failed: " + changed.error().message, "fail");
    return changed.error();
  }
  Event("traffic", "applied " + shown + (*changed ? "" : " (already in effect)"), "pass");
  Print("  traffic: " + shown);
  return Ok();
}

// `what` no longer gets new requests: wait for the router's old connections to end
// (nginx's old workers, at most drain_timeout), then the drain delay.
void DeploymentRun::Drain(const std::string& what) {
  if (!router_) return;
  Result<std::string> waited = router_->AwaitOldConnections(*ctx_.clock, env_.drain_timeout);
  std::string detail = waited.ok() ? *waited : waited.error().message;
  if (env_.drain > Duration(0)) {
    detail += (detail.empty() ? "" : "; ") + ("then " + FormatDuration(env_.drain) + " more");
    ctx_.clock->SleepFor(env_.drain);
  }
  Event("drain", what + (detail.empty() ? "" : ": " + detail), waited.ok() ? "pass" : "fail");
  Print("  drain " + what + (detail.empty() ? "" : ": " + detail));
}

}  // namespace gauntlet::deploy
