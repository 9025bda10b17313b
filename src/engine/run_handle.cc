// StartRun: the passes in order, then the run's own thread.
#include <unistd.h>

#include <filesystem>

#include "cache/change_filter.h"
#include "core/thread.h"
#include "engine/event_context.h"
#include "engine/notify.h"
#include "engine/run_context.h"
#include "store/run_claim.h"

namespace gauntlet::engine {
namespace {

class RunThread final : public RunHandle {
 public:
  // Starts executing `ctx` unless its outcome is already final (a skipped run).
  RunThread(std::unique_ptr<RunContext> ctx, bool finished)
      : ctx_(std::move(ctx)), run_id_(ctx_->run.id) {
    if (!finished) thread_ = BackgroundThread([ctx = ctx_.get()] { Execute(*ctx); });
  }
  ~RunThread() override { Wait(); }

  store::RunId run_id() const override { return run_id_; }
  void Cancel() override {
    if (ctx_->scheduler) ctx_->scheduler->Cancel();
  }
  const RunOutcome& Wait() override {
    if (thread_.joinable()) thread_.join();
    return ctx_->outcome;
  }

 private:
  std::unique_ptr<RunContext> ctx_;
  const store::RunId run_id_;
  std::jthread thread_;
};

Status CheckRequest(const RunRequest& r) {
  if (r.pipeline == nullptr || !r.pipeline->ok())
    return Error::Invalid("a run needs a valid pipeline");
  if (r.workspace.root.empty() || r.workspace.state_dir.empty())
    return Error::Invalid("a run needs a workspace");
  return Ok();
}

// A resumed run continues its own record: its git fields and start time stay. Claimed
// in one compare-and-swap: of two engines resuming this run, one wins.
Status LoadResumed(RunContext& ctx) {
  const RunOptions& opt = ctx.request.options;
  bool busy = false;
  auto claimed = store::ClaimRun(*ctx.store, opt.resume, getpid(), store::HostName(), &busy);
  if (!claimed.ok())
    return busy ? Error::Busy(claimed.error().message) : Error::NotFound(claimed.error().message);
  ctx.run = std::move(*claimed);
  ctx.kept.assign(ctx.plan().jobs.size(), false);
  for (const auto& [id, r] : opt.previous) ctx.kept[id] = true;
  return Ok();
}

// A run recorded as started that cannot go on: recorded as failed (best effort), so it
// is not left 'running' under a live engine.
Error Abandon(RunContext& ctx, Error why) {
  ctx.run.status = store::RunStatus::kFailed;
  ctx.run.reason = why.message;
  ctx.run.finished_ms = ctx.NowMs();
  (void)ctx.store->UpdateRun(ctx.run);
  return why;
}

// The run's outcome once the scheduler is done: what was recorded, and every problem
// recording it met (recording goes on best-effort after a store error).
void Finish(RunContext& ctx, const exec::RunResult& result) {
  RunOutcome& out = ctx.outcome;
  Status closed = ctx.log->Close();
  // A result that did not reach the disk was not recorded: never report success for it.
  const std::string storage_error = !result.storage_error.empty() ? result.storage_error
                                    : !ctx.recorder->status().ok()
                                        ? ctx.recorder->status().error().message
                                    : !closed.ok() ? closed.error().message
                                                   : "";
  out.storage_error = ctx.masker.MaskString(storage_error);
  if (ctx.reports) {
    out.report_warnings = ctx.reports->warnings();
    out.warnings.insert(out.warnings.end(), out.report_warnings->begin(),
                        out.report_warnings->end());
    if (!ctx.reports->status().ok())
      out.warnings.push_back("recording reports: " + ctx.reports->status().error().message);
  }
  out.run = ctx.run;
  out.state = result.state;
  out.results = ctx.scheduler->results();
}

// The run's end to the pipeline's `notify:` URLs, once it is recorded.
void NotifyRunEnd(RunContext& ctx) {
  if (!ctx.request.notifier || ctx.pipeline().notify.empty()) return;
  std::vector<std::string> failed;
  const auto& jobs = ctx.plan().jobs;
  for (size_t i = 0; i < ctx.outcome.results.size() && i < jobs.size(); ++i) {
    const exec::JobResult& r = ctx.outcome.results[i];
    if (r.state == exec::JobState::kFailed && !r.continued_on_error) failed.push_back(jobs[i].name);
  }
  NotifyEvent e = RunNotification(ctx.outcome.run, failed, NotifyLinksOf(ctx, ctx.outcome.run.id),
                                  ctx.NowMs());
  ctx.request.notifier->Send(ctx.store_url(), ctx.pipeline().notify, e, ctx.request.secrets,
                             NotifyContexts(ctx, ctx.outcome.run));
}

}  // namespace

NotifyLinks NotifyLinksOf(const RunContext& ctx, int64_t run_id) {
  NotifyLinks links;
  links.repo = ctx.request.notify_repo;
  links.run_url = ctx.request.run_url;
  if (size_t at = links.run_url.find("{run}"); at != std::string::npos)
    links.run_url.replace(at, 5, std::to_string(run_id));
  return links;
}

nlohmann::json NotifyContexts(const RunContext& ctx, const store::RunRecord& run) {
  nlohmann::json env = nlohmann::json::object();
  for (const auto& [k, v] : ctx.pipeline().env) env[k] = v;
  return {{"env", env},
          {"branch", run.git_branch == "HEAD" ? "" : run.git_branch},
          {"event", EventContext(ctx.request.event)}};
}

void Execute(RunContext& ctx) {
  exec::RunResult result = ctx.scheduler->Run();
  for (std::jthread& t : ctx.deploys) t.join();
  Finish(ctx, result);
  NotifyRunEnd(ctx);
}

Result<std::unique_ptr<RunHandle>> StartRun(RunRequest request) {
  if (Status s = CheckRequest(request); !s.ok()) return s.error();
  const bool resume = request.options.resume != 0;
  auto ctx = std::make_unique<RunContext>(std::move(request));
  ctx->masker = exec::Masker::ForSecrets(ctx->request.secrets);
  if (Status s = LockWorkspace(*ctx); !s.ok()) return s.error();
  if (Status s = OpenRunner(*ctx); !s.ok()) return s.error();
  // Read while the store opens and the first jobs start.
  if (!resume) ctx->git = GitReader(ctx->ws().root);
  if (Status s = OpenRunStore(*ctx); !s.ok()) return s.error();
  if (Status s = ReadChanges(*ctx); !s.ok()) return s.error();
  if (resume) {
    if (Status s = LoadResumed(*ctx); !s.ok()) return s.error();
  } else {
    ctx->run.pipeline = ctx->pipeline().name;
    ctx->run.file = std::filesystem::absolute(ctx->request.pipeline->file).string();
    ctx->run.reason = ctx->request.options.reason;
  }
  // Also on --resume (with the run's own --base): a resumed run decides as a new run on
  // the same tree would; when nothing relevant changed any more, it ends skipped.
  if (ctx->changes && !ctx->pipeline().changes.empty()) {
    cache::ChangeDecision decision = cache::Decide(ctx->pipeline().changes, *ctx->changes);
    if (!decision.run) {
      if (Status s = RecordSkippedRun(*ctx, decision.reason); !s.ok()) return s.error();
      return std::unique_ptr<RunHandle>(std::make_unique<RunThread>(std::move(ctx), true));
    }
  }
  if (Status s = RecordRunStart(*ctx); !s.ok()) return s.error();
  CarryReports(*ctx);
  Status s = OpenRecorders(*ctx);
  if (s.ok()) s = MakeScheduler(*ctx);
  if (!s.ok()) return Abandon(*ctx, s.error());
  return std::unique_ptr<RunHandle>(std::make_unique<RunThread>(std::move(ctx), false));
}

}  // namespace gauntlet::engine
