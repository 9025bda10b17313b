// Everything one run needs, reached from one object (mold's Context): the request, the
// store, the log, the recorders, the process runner, the scheduler, the deploy stages.
// StartRun's passes build it on the caller's thread; then the run's thread owns it until
// the end. Internal to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "engine/git_reader.h"
#include "engine/run.h"
#include "exec/masker.h"
#include "exec/observer.h"
#include "exec/process_runner.h"
#include "exec/scheduler.h"
#include "gate/report_recorder.h"
#include "store/cache_hooks.h"
#include "store/engine_lock.h"
#include "store/log_store.h"
#include "store/run_recorder.h"
#include "vcs/changes.h"

namespace gauntlet::engine {

struct RunContext {
  explicit RunContext(RunRequest r)
      : request(std::move(r)), clock(request.clock ? *request.clock : RealClock()) {}

  const spec::Pipeline& pipeline() const { return request.pipeline->pipeline(); }
  const plan::Plan& plan() const { return request.pipeline->plan; }
  const Workspace& ws() const { return request.workspace; }
  std::string store_url() const {
    return request.store_url.empty() ? request.workspace.store_url() : request.store_url;
  }
  int64_t NowMs() const { return clock.UnixMs(); }

  RunRequest request;
  Clock& clock;
  // One engine at a time per state directory (store/engine_lock.h), held to the end.
  std::optional<store::EngineLock> lock;
  // The state directory's key: the first part of every job's GAUNTLET_TAG.
  std::string state_key;
  exec::Masker masker;  // the request's secrets: reports and the storage error are masked
  std::unique_ptr<store::Store> store;
  GitReader git;
  std::optional<vcs::ChangeSet> changes;  // only when something reads them
  store::RunRecord run;
  std::vector<bool> kept;  // resumed: jobs already recorded as finished in this run
  std::unique_ptr<store::LogWriter> log;
  std::unique_ptr<store::RunRecorder> recorder;
  std::unique_ptr<gate::ReportRecorder> reports;
  exec::ObserverList observers;
  std::unique_ptr<exec::ProcessRunner> runner;
  std::optional<store::CacheHooks> hooks;
  // Deploy stages are not interrupted by the run's cancel: the run ends once they have
  // finished or rolled back (docs/deploy.md). Never set.
  const std::atomic<bool> stages_cancelled{false};
  std::vector<std::jthread> deploys;  // deploy stages; joined before the outcome is made
  std::unique_ptr<exec::Scheduler> scheduler;  // last: it points into everything above
  RunOutcome outcome;
};

// The passes of StartRun, in order (run_start.cc); each fails with a kinded Error.
Status LockWorkspace(RunContext& ctx);
Status OpenRunner(RunContext& ctx);
Status OpenRunStore(RunContext& ctx);  // and kills what killed engines left running
Status ReadChanges(RunContext& ctx);
Status RecordRunStart(RunContext& ctx);  // a new run's row, or the resumed run's
void CarryReports(RunContext& ctx);
Status OpenRecorders(RunContext& ctx);
Status MakeScheduler(RunContext& ctx);

// A run whose pipeline-level `changes:` found nothing relevant (run_skipped.cc): recorded
// as skipped, every job with it, nothing started; the outcome is final.
Status RecordSkippedRun(RunContext& ctx, const std::string& reason);

// The scheduler's handler for deploy stages (deploy_stage.cc).
exec::DeployHandler DeployStages(RunContext& ctx);

// Runs the scheduler to the end and fills ctx.outcome (on the run's thread); then sends
// the run's end to the pipeline's `notify:` URLs.
void Execute(RunContext& ctx);

// For notifications (run_handle.cc): the links of run `run_id`, and what `notify:`
// templates see (env, branch, event; the secrets are added by the Notifier).
struct NotifyLinks;
NotifyLinks NotifyLinksOf(const RunContext& ctx, int64_t run_id);
nlohmann::json NotifyContexts(const RunContext& ctx, const store::RunRecord& run);

}  // namespace gauntlet::engine
