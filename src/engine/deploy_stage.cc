// The deploy stages of a run: each is a deployment through the same path as `gauntlet
// deploy` (RunDeployment), on a thread of its own so the event loop keeps serving the
// other jobs, with its own store connection (the run's recorder batches on the other).
#include <fmt/core.h>

#include <cstdlib>

#include "core/thread.h"
#include "engine/deployment.h"
#include "engine/notify.h"
#include "engine/run_context.h"

namespace gauntlet::engine {
namespace {

// The version a deploy stage deploys: the `version` output of a job it needs, else
// $GAUNTLET_DEPLOY_VERSION, else the run's commit (12 characters), else "run-ID".
std::string DeployVersion(const plan::PlannedJob& job, const std::vector<exec::JobResult>& results,
                          const store::RunRecord& run) {
  for (plan::JobId need : job.needs) {
    for (const auto& [key, value] : results[need].outputs) {
      if (key == "version" && !value.empty()) return value;
    }
  }
  if (const char* v = std::getenv("GAUNTLET_DEPLOY_VERSION"); v && *v) return v;
  if (!run.git_commit.empty()) return run.git_commit.substr(0, 12);
  return fmt::format("run-{}", run.id);
}

exec::JobResult Failed(std::string reason) {
  exec::JobResult r;
  r.attempts = 1;
  r.state = exec::JobState::kFailed;
  r.reason = std::move(reason);
  return r;
}

exec::JobResult StageResult(const DeploymentOutcome& out) {
  if (!out.record.ok()) return Failed(out.record.error().message);
  const store::DeploymentRecord& d = *out.record;
  exec::JobResult r = Failed("");
  r.outputs.emplace_back("deployment", std::to_string(d.id));
  r.outputs.emplace_back("version", d.version);
  if (d.state == store::kDeploySucceeded) {
    r.state = exec::JobState::kSuccess;
  } else {
    r.reason = fmt::format("deployment {} {}: {}", d.id, d.state, d.reason);
  }
  return r;
}

// What the stage asks for, built on the scheduler's thread: copies only, since the
// recorder updates the run meanwhile.
DeploymentRequest StageRequest(RunContext& ctx, const plan::PlannedJob& job,
                               const spec::Environment* env) {
  const spec::Stage& stage = *job.stage;
  DeploymentRequest req;
  req.environment = env;
  req.workspace = ctx.ws();
  req.start.version = DeployVersion(job, ctx.scheduler->results(), ctx.run);
  req.start.strategy = stage.strategy;
  req.start.trigger = fmt::format("run {}, stage {}", ctx.run.id, stage.name);
  req.start.git_commit = ctx.run.git_commit;
  req.start.rollback_on_failure = stage.rollback_on_failure;
  req.secrets = ctx.request.secrets;
  req.store_url = ctx.store_url();
  req.clock = &ctx.clock;
  if (ctx.request.deploy_line) {
    req.print = [line = ctx.request.deploy_line, name = job.name](const std::string& text) {
      line(name, text);
    };
  }
  return req;
}

}  // namespace

exec::DeployHandler DeployStages(RunContext& ctx) {
  return [&ctx](const plan::PlannedJob& job, exec::DeployDone done) {
    const spec::Stage* stage = job.stage;
    const spec::Environment* env =
        stage ? ctx.pipeline().FindEnvironment(stage->environment) : nullptr;
    if (!env) {
      done(Failed("no environment '" + (stage ? stage->environment : "") +
                  "' in the pipeline file"));
      return;
    }
    ctx.git.Fill(&ctx.run, /*wait=*/true);
    // What its notification says of the run: copied now, as the recorder updates the run.
    store::RunRecord run;
    run.id = ctx.run.id;
    run.status = store::RunStatus::kRunning;
    run.git_commit = ctx.run.git_commit;
    run.git_branch = ctx.run.git_branch;
    ctx.deploys.push_back(BackgroundThread(
        [req = StageRequest(ctx, job, env), &cancelled = ctx.stages_cancelled,
         done = std::move(done), &ctx, run] {
          DeploymentOutcome out = RunDeployment(req, cancelled);
          if (ctx.request.notifier && !ctx.pipeline().notify.empty() && out.record.ok()) {
            NotifyEvent e = DeploymentNotification(*out.record, run, ctx.pipeline().name,
                                                   NotifyLinksOf(ctx, run.id), ctx.NowMs());
            ctx.request.notifier->Send(ctx.store_url(), ctx.pipeline().notify, e,
                                       ctx.request.secrets, NotifyContexts(ctx, run));
          }
          done(StageResult(out));
        }));
  };
}

}  // namespace gauntlet::engine
