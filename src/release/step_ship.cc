// Steps "push" (the release commit and its tag to the remote) and "deploy" (the version
// to the environment, through the engine's deployment path with its strategy).
#include <atomic>

#include "engine/deployment.h"
#include "release/flow.h"
#include "store/deploy_records.h"
#include "vcs/publish.h"

namespace gauntlet::release {

Status Push(Flow& f) {
  if (f.config.remote.empty()) return Ok();  // no step: nothing to push to
  const std::vector<std::string> refspecs = {
      "refs/heads/" + f.state.branch + ":refs/heads/" + f.state.branch,
      "refs/tags/" + f.state.tag + ":refs/tags/" + f.state.tag};
  f.Begin("push");
  if (f.store == nullptr) {
    f.plan["push"] = {{"remote", f.config.remote}, {"refspecs", refspecs}};
    return f.End("push", "skipped", "dry run: would push " + f.state.branch + " and " +
                                        f.state.tag + " to " + f.config.remote);
  }
  if (Status s = vcs::Push(f.repo_root, f.config.remote, refspecs); !s.ok()) {
    Error e = s.error();
    e.message = f.state.tag + " is tagged here but not pushed: " + e.message +
                " (fix it and run gauntlet release again: it pushes the same tag)";
    (void)f.End("push", "failed", e.message);
    return e;
  }
  return f.End("push", "ok", f.state.branch + " and " + f.state.tag + " to " + f.config.remote);
}

Status Deploy(Flow& f) {
  const std::string env_name =
      f.req.environment.empty() ? f.config.environment.value : f.req.environment;
  if (env_name.empty() || f.req.no_deploy) return Ok();
  f.Begin("deploy");
  f.state.deployment.environment = env_name;
  auto env = engine::FindEnvironment(*f.req.pipeline, env_name);
  if (!env.ok()) {
    (void)f.End("deploy", "failed", env.error().message);
    return env.error();
  }
  if (f.store == nullptr) {
    f.plan["deploy"] = {{"environment", env_name}, {"version", f.state.version},
                        {"strategy", (*env)->strategy}};
    return f.End("deploy", "skipped", "dry run: would deploy " + f.state.version + " to " +
                                          env_name + " (" + (*env)->strategy + ")");
  }
  engine::DeploymentRequest dr;
  dr.environment = *env;
  dr.workspace = f.req.workspace;
  dr.action = engine::DeployAction::kStart;
  dr.start.version = f.state.version;
  dr.start.git_commit = f.state.commit;
  dr.start.trigger = "release " + f.state.tag;
  dr.secrets = f.req.secrets;
  dr.clock = f.clock;
  dr.print = [&f](const std::string& line) { f.Print("  " + line); };
  const std::atomic<bool> cancelled{false};
  engine::DeploymentOutcome out = engine::RunDeployment(dr, cancelled);
  if (!out.record.ok()) {
    // Refused (the environment is held) or not started: the release stands, undeployed.
    f.state.deployment.outcome = "failed";
    f.state.deployment.reason = out.record.error().message;
  } else {
    f.state.deployment.id = out.record->id;
    f.state.deployment.outcome = out.record->state;
    f.state.deployment.reason = out.record->reason;
  }
  if (f.state.deployment.outcome == store::kDeploySucceeded)
    return f.End("deploy", "ok", "deployment " + std::to_string(f.state.deployment.id) + " to " +
                                     env_name + " succeeded");
  f.state.status = "released_not_deployed";
  f.state.reason = f.state.tag + " is released but not deployed to " + env_name + ": " +
                   f.state.deployment.outcome +
                   (f.state.deployment.reason.empty() ? "" : " (" + f.state.deployment.reason + ")");
  return f.End("deploy", "failed", f.state.reason);
}

}  // namespace gauntlet::release
