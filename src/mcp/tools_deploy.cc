// The tools of deployments and releases: deploy, deployments, promote, abort, rollback,
// release. Each drives the engine as the CLI does; a cancelled call cancels the
// deployment (before promotion it rolls back: nothing is left half done).
#include <fmt/core.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "engine/deployment.h"
#include "engine/secrets.h"
#include "engine/views_deploy.h"
#include "mcp/tools_common.h"
#include "release/release.h"
#include "release/status_file.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

// Waits for the handle, cancelling it when the call is cancelled.
const engine::DeploymentOutcome& WaitCancellable(engine::DeploymentHandle& h, CallContext& c) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread waiter([&] {
    h.Wait();
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    bool cancelled = false;
    while (!done) {
      // The cancellation flag has no condition variable: look at it each second.
      cv.wait_for(lock, std::chrono::seconds(1));
      if (!cancelled && c.Cancelled()) {
        cancelled = true;
        h.Cancel();
      }
    }
  }
  waiter.join();
  return h.Wait();
}

ToolResult Drive(const json& a, CallContext& c, engine::DeploymentRequest req,
                 const char* success_state) {
  auto o = OpenWorkplace(*c.workplace, false);
  if (!o.ok()) return ToolError(o.error().message);
  const std::string env_name = a["environment"];
  auto env = engine::FindEnvironment(*o->loaded, env_name);
  if (!env.ok()) return ToolError(env.error().message);
  auto secrets = engine::CollectSecrets(o->loaded->pipeline(), c.workplace->secrets_file);
  if (!secrets.ok()) return ToolError(secrets.error().message);
  req.environment = *env;
  req.workspace = o->ws;
  req.secrets = std::move(*secrets);
  int step = 0;
  req.print = [&c, &step](const std::string& line) { c.progress(++step, 0, line); };
  auto handle = engine::StartDeployment(std::move(req));
  const engine::DeploymentOutcome& out = WaitCancellable(*handle, c);
  if (!out.record.ok()) return ToolError(out.record.error().message);
  const store::DeploymentRecord& d = *out.record;
  ToolResult r;
  r.structured = engine::DeploymentJson(d, out.events, false, RealClock().UnixMs());
  r.text = fmt::format("deployment #{} of {} to {}: {}{}", d.id, d.version, d.environment,
                       d.state, d.reason.empty() ? "" : " (" + d.reason + ")");
  r.is_error = d.state != std::string(success_state);
  return r;
}

std::string Trigger(const char* what, const CallContext& c) {
  return fmt::format("{} over MCP by {}", what, c.identity);
}

ToolResult Deploy(const json& a, CallContext& c) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kStart;
  req.start.version = a["version"];
  req.start.strategy = a.value("strategy", "");
  req.start.git_commit = a.value("commit", "");
  req.start.trigger = Trigger("deploy", c);
  return Drive(a, c, std::move(req), store::kDeploySucceeded);
}

ToolResult Promote(const json& a, CallContext& c) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kPromote;
  return Drive(a, c, std::move(req), store::kDeploySucceeded);
}

ToolResult Abort(const json& a, CallContext& c) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kAbort;
  return Drive(a, c, std::move(req), store::kDeployRolledBack);
}

ToolResult Rollback(const json& a, CallContext& c) {
  engine::DeploymentRequest req;
  req.action = engine::DeployAction::kRollback;
  req.rollback_to = a.value("to", "");
  req.trigger = Trigger("rollback", c);
  return Drive(a, c, std::move(req), store::kDeploySucceeded);
}

ToolResult Deployments(const json& a, CallContext& c) {
  auto h = OpenHistory(*c.workplace);
  if (!h.ok()) return ToolError(h.error().message);
  auto list = h->store->ListDeployments(a.value("environment", ""), a.value("limit", 10));
  if (!list.ok()) return ToolError(list.error().message);
  const int64_t now = RealClock().UnixMs();
  ToolResult r;
  r.structured = {{"deployments", json::array()}};
  for (const store::DeploymentRecord& d : *list) {
    auto events = h->store->GetDeploymentEvents(d.id);
    r.structured["deployments"].push_back(engine::DeploymentJson(
        d, events.ok() ? *events : std::vector<store::DeploymentEvent>{}, false, now));
    r.text += fmt::format("#{} {} {} {}\n", d.id, d.environment, d.version, d.state);
  }
  if (list->empty()) r.text = "no deployments";
  return r;
}

ToolResult Release(const json& a, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, false);
  if (!o.ok()) return ToolError(o.error().message);
  auto secrets = engine::CollectSecrets(o->loaded->pipeline(), c.workplace->secrets_file);
  if (!secrets.ok()) return ToolError(secrets.error().message);
  release::ReleaseRequest req;
  req.pipeline = o->loaded.get();
  req.workspace = o->ws;
  req.package = a.value("package", "");
  req.dry_run = a.value("dry_run", true);
  req.no_deploy = a.value("no_deploy", false);
  req.identity = c.identity;  // the approval request a needs-approval gate makes is its
  req.may_wait = true;        // with progress notifications; the client may cancel
  req.cancelled = [&c] { return c.Cancelled(); };
  req.secrets = std::move(*secrets);
  int step = 0;
  req.print = [&c, &step](const std::string& line) { c.progress(++step, 0, line); };
  auto out = release::Run(req);
  if (!out.ok()) return ToolError(out.error().message);
  const release::ReleaseState& s = out->state;
  ToolResult r;
  r.structured = release::ToJson(s);
  if (req.dry_run) r.structured["plan"] = out->plan;
  r.text = fmt::format("{}{}{}", s.status, s.tag.empty() ? "" : " " + s.tag,
                       s.reason.empty() ? "" : ": " + s.reason);
  r.is_error = s.status == "failed" || s.status == "rejected" || s.status == "denied";
  return r;
}

std::string EnvironmentOf(const json& a) { return a.value("environment", ""); }

}  // namespace

void AddDeployTools(std::vector<Tool>* tools) {
  const json env = {{"type", "string"}, {"description", "The environment (a key of environments:)"}};
  const json deployment = {
      {"type", "object"},
      {"properties", {{"id", {{"type", "integer"}}}, {"state", {{"type", "string"}}}}},
      {"required", {"id", "state"}}};
  const std::string protected_note =
      " A protected environment (production by default) needs trust level L3, or a person's "
      "approval: below L3 the denial names the approval request made, and the same call "
      "passes once a person has approved it.";
  tools->push_back(
      {"deploy", "Deploy a version to an environment",
       "Deploys VERSION to the environment with its strategy (canary, blue_green, rolling, "
       "recreate): health checks, analysis against the stable version, traffic moved step by "
       "step, automatic rollback on failure. Blocks until it ends (minutes), with progress; "
       "cancelling the call rolls it back." + protected_note,
       ObjectSchema({{"environment", env},
                     {"version", {{"type", "string"}, {"minLength", 1}}},
                     {"strategy", {{"type", "string"},
                                   {"enum", {"canary", "blue_green", "rolling", "recreate"}}}},
                     {"commit", {{"type", "string"}, {"description", "Git commit (default HEAD)"}}}},
                    {"environment", "version"}),
       deployment, Access::kDeploy, true, Deploy, EnvironmentOf});
  tools->push_back(
      {"promote", "Continue a paused deployment",
       "Takes a paused deployment's step (inconclusive analysis, or a pause until promoted) as "
       "passed and drives it on to the end." + protected_note,
       ObjectSchema({{"environment", env}}, {"environment"}), deployment, Access::kDeploy, true,
       Promote, EnvironmentOf});
  tools->push_back(
      {"abort", "Roll back a paused deployment",
       "Rolls back the environment's paused or interrupted deployment: traffic back to the "
       "stable version first. Always allowed (the safe direction).",
       ObjectSchema({{"environment", env}}, {"environment"}), deployment, Access::kSafe, true, Abort,
       EnvironmentOf});
  tools->push_back(
      {"rollback", "Go back to the last known-good release",
       "Puts the environment back on the last release that deployed successfully (or `to`), "
       "without analysis, and records an incident for the release left. Always allowed (the "
       "safe direction). Use it when the deployed version misbehaves.",
       ObjectSchema({{"environment", env},
                     {"to", {{"type", "string"}, {"description", "A version that deployed before"}}}},
                    {"environment"}),
       deployment, Access::kSafe, true, Rollback, EnvironmentOf});
  tools->push_back(
      {"deployments", "List deployments",
       "Recent deployments (newest first) of one environment or all: version, state, strategy, "
       "verdicts. Cheap: reads the history.",
       ObjectSchema({{"environment", env}, {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}}},
                    {}),
       {{"type", "object"},
        {"properties", {{"deployments", {{"type", "array"}}}}},
        {"required", {"deployments"}}},
       Access::kRead, false, Deployments, nullptr});
  tools->push_back(
      {"release", "Release the current commit",
       "Cuts a release from HEAD of a release branch: next version from Conventional Commits, "
       "changelog, tag, push and deployment (docs/release.md). dry_run (the default) shows what "
       "would be done and changes nothing; a real release (dry_run false) needs trust level L2.",
       ObjectSchema({{"dry_run", {{"type", "boolean"}, {"description", "Default true"}}},
                     {"package", {{"type", "string"}}},
                     {"no_deploy", {{"type", "boolean"}}}},
                    {}),
       {{"type", "object"}, {"properties", {{"status", {{"type", "string"}}}}}, {"required", {"status"}}},
       Access::kRelease, true, Release, nullptr});
}

}  // namespace gauntlet::mcp
