// StartRun and its passes: each step of starting a run is a named function over the
// run's context, in the order StartRun calls them.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "cache/change_filter.h"
#include "engine/changes.h"
#include "engine/event_context.h"
#include "engine/run_context.h"
#include "engine/run_title.h"
#include "exec/executors.h"
#include "gate/carry_reports.h"
#include "store/open.h"
#include "store/run_claim.h"
#include "vcs/repo.h"

namespace gauntlet::engine {
namespace {

// Report paths are stored relative to the repository holding the workspace (the
// workspace itself when it is in none).
std::string RepoRoot(const std::string& workspace_root) {
  auto info = vcs::HeadInfo(workspace_root);
  std::string root = info.ok() && !info->workdir.empty() ? info->workdir : workspace_root;
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(root, ec);
  return ec ? root : canonical.string();
}

bool AnyReports(const plan::Plan& plan) {
  return std::any_of(plan.jobs.begin(), plan.jobs.end(), [](const plan::PlannedJob& j) {
    return j.spec != nullptr &&
           (!j.spec->reports.junit.empty() || !j.spec->reports.coverage.empty());
  });
}

// Whether any job needs the cache hooks; if none does, the scheduler runs without them.
bool UsesCacheHooks(const spec::Pipeline& p) {
  for (const spec::Job& j : p.jobs) {
    if (!j.inputs.empty() || !j.artifacts.empty() || !j.changes.empty()) return true;
  }
  return false;
}

// The directory jobs run in: the workspace, canonical (it is also what reports and the
// cache resolve paths against).
std::string CanonicalRoot(const std::string& root) {
  std::error_code ec;
  auto c = std::filesystem::weakly_canonical(root, ec);
  return ec ? root : c.string();
}

// Where the jobs' concurrency groups live (docs/running.md, "Concurrency groups"): per
// repository, as GitHub's, so every engine of it meets there (worktrees, other state
// directories; one state directory runs one engine at a time anyway): in its git common
// directory; outside a repository, in the state directory. "" when no job has a group.
std::string ConcurrencyDir(const spec::Pipeline& pipeline, const Workspace& ws) {
  bool any = false;
  for (const spec::Job& j : pipeline.jobs) any = any || !j.concurrency.group.empty();
  if (!any) return "";
  Result<std::string> common = vcs::CommonDir(ws.root);
  if (common.ok())
    return *common + (common->ends_with('/') ? "" : "/") + "gauntlet/concurrency";
  return ws.state_dir + "/concurrency";
}

}  // namespace

// One engine at a time runs jobs with a state directory (docs/running.md: what runs
// twice, never); --wait waits for the holder instead of failing.
Status LockWorkspace(RunContext& ctx) {
  const std::string& state_dir = ctx.ws().state_dir;
  bool busy = false;
  auto lock = store::EngineLock::Acquire(
      state_dir, ctx.request.options.wait, &busy, [&ctx](const std::string& holder) {
        if (ctx.request.note) ctx.request.note("waiting for " + holder + " to finish (--wait)");
      });
  if (!lock.ok()) return busy ? Error::Busy(lock.error().message) : lock.error();
  ctx.lock.emplace(std::move(*lock));
  ctx.state_key = store::StateDirKey(state_dir);
  return Ok();
}

// Under the engine lock: nothing an earlier, killed engine of this workspace left
// running survives into this run.
Status OpenRunStore(RunContext& ctx) {
  if (ctx.request.store) {
    ctx.store = std::move(ctx.request.store);
  } else {
    auto st = store::OpenStore(ctx.store_url());
    if (!st.ok()) return st.error();
    ctx.store = std::move(*st);
  }
  auto killed = store::KillLeftovers(*ctx.store, ctx.state_key);
  if (!killed.ok()) return killed.error();
  if (*killed > 0 && ctx.request.note)
    ctx.request.note("killed " + std::to_string(*killed) +
                     " process(es) left running by an earlier engine");
  return Ok();
}

// Changed files, only when something reads them (change filters, `if:` on changes).
Status ReadChanges(RunContext& ctx) {
  const std::string& base = ctx.request.options.base;
  if (!UsesChanges(ctx.pipeline()) && base.empty()) return Ok();
  auto cs = vcs::ChangedFilesForRun(ctx.ws().root, base);
  if (!cs.ok()) {
    return Error{"changed files: " + cs.error().message,
                 base.empty() ? ErrorKind::kInternal : ErrorKind::kNotFound};
  }
  ctx.changes = vcs::Within(std::move(*cs), ctx.ws().root);  // globs: relative to the workspace
  return Ok();
}

// The run's `run-name:` (engine/run_title.h), once its id is known (github.run_id).
Status RecordRunTitle(RunContext& ctx) {
  if (ctx.pipeline().run_name.empty()) return Ok();
  ctx.git.Fill(&ctx.run, /*wait=*/true);  // github.ref, github.sha
  const nlohmann::json event = EventContext(ctx.request.event);
  RunTitleFacts facts;
  facts.event = &event;
  facts.branch = ctx.run.git_branch;
  facts.run_id = std::to_string(ctx.run.id);
  facts.workspace = ctx.ws().root;
  facts.secrets = &ctx.request.secrets;
  Result<std::string> title = RenderRunTitle(ctx.pipeline(), facts);
  if (!title.ok()) {
    // As GitHub does with a run-name that fails: the run goes on without a title.
    ctx.outcome.warnings.push_back(title.error().message);
    return Ok();
  }
  ctx.run.title = std::move(*title);
  return ctx.store->UpdateRun(ctx.run);
}

Status RecordRunStart(RunContext& ctx) {
  const RunOptions& opt = ctx.request.options;
  store::RunRecord& run = ctx.run;
  run.status = store::RunStatus::kRunning;
  if (!opt.resume) run.started_ms = ctx.NowMs();
  run.finished_ms = 0;
  run.engine_pid = getpid();
  run.engine_host = store::HostName();
  run.options_json = opt.recorded.dump();
  run.plan_fingerprint = PlanFingerprint(ctx.plan());
  run.slots = opt.parallelism > 0 ? opt.parallelism
                                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  run.needs = PlanNeedsJson(ctx.plan());
  if (opt.resume) {
    run.reason.clear();
    ctx.lock->SetRun(run.id);
    return ctx.store->UpdateRun(run);
  }
  auto id = ctx.store->CreateRun(run);
  if (!id.ok()) return id.error();
  run.id = *id;
  ctx.lock->SetRun(run.id);
  return RecordRunTitle(ctx);
}

// Before any job records a report: the report recorder counts the carried ones in.
void CarryReports(RunContext& ctx) {
  const RunOptions& opt = ctx.request.options;
  if (opt.resume || opt.carried_from == 0) return;
  std::map<std::string, int> carried;
  for (const auto& [id, r] : opt.previous) {
    if (r.state == exec::JobState::kSuccess) carried.emplace(ctx.plan().jobs[id].name, id);
  }
  auto n = gate::CarryReports(*ctx.store, opt.carried_from, ctx.run.id, carried);
  if (!n.ok())
    ctx.outcome.warnings.push_back("carrying the reports of run " +
                                   std::to_string(opt.carried_from) + ": " + n.error().message);
}

Status OpenRecorders(RunContext& ctx) {
  auto log = store::LogWriter::Open(ctx.ws().logs_dir(), ctx.run.id);
  if (!log.ok()) return log.error();
  ctx.log = std::move(*log);
  ctx.recorder = std::make_unique<store::RunRecorder>(ctx.store.get(), ctx.log.get(), &ctx.run,
                                                      [&ctx] { return ctx.NowMs(); });
  ctx.recorder->KeepRecorded(ctx.kept);
  ctx.recorder->FillLater([&ctx](store::RunRecord* r, bool wait) { return ctx.git.Fill(r, wait); });
  ctx.observers.Add(ctx.recorder.get());
  // Right after the recorder: its batch holds the reports with the job's result.
  if (AnyReports(ctx.plan())) {
    gate::ReportRecorder::Options ro;
    ro.workspace_root = CanonicalRoot(ctx.ws().root);
    ro.repo_root = RepoRoot(ro.workspace_root);
    ro.now_ms = [&ctx] { return ctx.NowMs(); };
    ro.masker = &ctx.masker;
    ctx.reports = std::make_unique<gate::ReportRecorder>(ctx.store.get(), ctx.log.get(),
                                                         ctx.run.id, ro);
    ctx.observers.Add(ctx.reports.get());
  }
  if (ctx.request.observer) ctx.observers.Add(ctx.request.observer);
  return Ok();
}

Status OpenRunner(RunContext& ctx) {
  exec::RunnerOptions ropt;
  ropt.clock = &ctx.clock;
  auto runner = exec::MakeRunner(ctx.request.executor, ropt);
  if (!runner.ok()) return runner.error();
  ctx.runner = std::move(*runner);
  return Ok();
}

Status MakeScheduler(RunContext& ctx) {
  RunOptions& opt = ctx.request.options;
  exec::SchedulerOptions sopt;
  sopt.parallelism = opt.parallelism;
  sopt.keep_going = opt.keep_going;
  sopt.run_id = std::to_string(ctx.run.id);
  sopt.process_tag = ctx.state_key + "/" + sopt.run_id;
  if (opt.resume) {
    // Attempts are numbered after the ones an earlier engine made (in its log too).
    auto made = store::AttemptsMade(*ctx.store, ctx.run.id, *ctx.log, ctx.plan().jobs.size());
    if (!made.ok()) return made.error();
    sopt.attempts_before = std::move(*made);
  }
  sopt.workspace = ctx.ws().root;
  sopt.state_dir = ctx.ws().state_dir;
  sopt.concurrency_dir = ConcurrencyDir(ctx.pipeline(), ctx.ws());
  sopt.resolve_branch = [&ctx] {
    ctx.git.Fill(&ctx.run, /*wait=*/true);
    return ctx.run.git_branch;
  };
  sopt.event = EventContext(ctx.request.event);
  sopt.secrets = ctx.request.secrets;
  sopt.previous = std::move(opt.previous);
  if (ctx.changes) sopt.changes = ChangesContext(*ctx.changes);
  if (UsesCacheHooks(ctx.pipeline())) {
    store::CacheHooksOptions hopt;
    hopt.workspace = ctx.ws().root;
    hopt.artifacts_dir = ctx.ws().artifacts_dir();
    hopt.stat_cache = ctx.ws().state_dir + "/inputs.stat";
    hopt.lookup = !opt.no_cache;
    hopt.branch = sopt.resolve_branch;  // a templated job's definition holds it
    // The whole event: a templated command may read any field of it (event.after, ...).
    hopt.event = sopt.event.dump();
    hopt.changes = ctx.changes ? &*ctx.changes : nullptr;
    ctx.hooks.emplace(ctx.plan(), ctx.store.get(), std::move(hopt));
    sopt.hooks = &*ctx.hooks;
  }
  sopt.deploy = DeployStages(ctx);
  ctx.scheduler = std::make_unique<exec::Scheduler>(ctx.plan(), ctx.runner.get(), &ctx.observers,
                                                    std::move(sopt));
  return Ok();
}

}  // namespace gauntlet::engine
