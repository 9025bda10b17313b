#include "cli/execute.h"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include "cache/change_filter.h"
#include "cli/cli.h"
#include "cli/deploy_support.h"
#include "cli/workspace.h"
#include "core/hash.h"
#include "core/thread.h"
#include "exec/local_runner.h"
#include "exec/masker.h"
#include "exec/progress.h"
#include "exec/scheduler.h"
#include "gate/carry_reports.h"
#include "gate/report_recorder.h"
#include "store/cache_hooks.h"
#include "store/engine_lock.h"
#include "store/log_store.h"
#include "store/run_claim.h"
#include "store/run_recorder.h"
#include "vcs/changes.h"
#include "vcs/repo.h"

namespace gauntlet::cli {
namespace {

int TerminalWidth(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 100;
}

}  // namespace

// Every secret the pipeline names, valued from the secrets file, else the environment.
// A secret with no value is left out: a job that lists it fails with a clear reason.
Result<std::vector<std::pair<std::string, std::string>>> CollectSecrets(
    const spec::Pipeline& p, const std::string& secrets_file) {
  std::vector<std::pair<std::string, std::string>> from_file;
  if (!secrets_file.empty()) {
    auto r = ReadSecretsFile(secrets_file);
    if (!r.ok()) return r.error();
    from_file = std::move(*r);
  }
  std::vector<std::string> names = p.secrets;
  for (const spec::Job& j : p.jobs) names.insert(names.end(), j.secrets.begin(), j.secrets.end());
  for (const spec::Environment& e : p.environments)
    names.insert(names.end(), e.secrets.begin(), e.secrets.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& name : names) {
    auto it = std::find_if(from_file.begin(), from_file.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (it != from_file.end()) {
      out.push_back(*it);
    } else if (const char* v = std::getenv(name.c_str())) {
      out.emplace_back(name, v);
    }
  }
  // Values in the file that no job names are still masked: they are secrets.
  for (const auto& kv : from_file) {
    if (!std::binary_search(names.begin(), names.end(), kv.first)) out.push_back(kv);
  }
  return out;
}

namespace {

void FillGit(const Result<vcs::CommitInfo>& info, store::RunRecord* run) {
  if (!info.ok()) return;  // not a repository (or no commit yet): no git context
  run->git_commit = info->commit;
  run->git_branch = info->branch;
  run->author_name = info->author_name;
  run->author_email = info->author_email;
  run->subject = info->subject;
  run->trailers = info->trailers;
}

nlohmann::json SummaryJson(const store::RunRecord& run, const plan::Plan& plan,
                           const std::vector<exec::JobResult>& results) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const plan::PlannedJob& job : plan.jobs) {
    const exec::JobResult& r = results[job.id];
    nlohmann::json outputs = nlohmann::json::object();
    for (const auto& [k, v] : r.outputs) outputs[k] = v;
    jobs.push_back({{"name", job.name},
                    {"status", r.cached ? "cached" : exec::JobStateName(r.state)},
                    {"cache_key", r.cache_key},
                    {"attempts", r.attempts},
                    {"duration_ms", r.duration.count() / 1000},
                    {"reason", r.reason},
                    {"resumed", r.resumed},
                    {"outputs", outputs}});
  }
  return {{"run", run.id},
          {"pipeline", run.pipeline},
          {"status", std::string(store::ToString(run.status))},
          {"reason", run.reason},
          {"commit", run.git_commit},
          {"branch", run.git_branch},
          {"duration_ms", run.finished_ms - run.started_ms},
          {"jobs", jobs}};
}

bool AnyReports(const plan::Plan& plan) {
  return std::any_of(plan.jobs.begin(), plan.jobs.end(), [](const plan::PlannedJob& j) {
    return j.spec != nullptr &&
           (!j.spec->reports.junit.empty() || !j.spec->reports.coverage.empty());
  });
}

// Report paths are stored relative to the repository holding the workspace (the
// workspace itself when it is in none).
std::string RepoRoot(const std::string& workspace_root) {
  std::error_code ec;
  auto info = vcs::HeadInfo(workspace_root);
  std::string root = info.ok() && !info->workdir.empty() ? info->workdir : workspace_root;
  auto canonical = std::filesystem::weakly_canonical(root, ec);
  return ec ? root : canonical.string();
}

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

// A deploy stage through the same engine as `gauntlet deploy`, on its own store
// connection (the run recorder batches on the other one).
exec::JobResult RunDeployStage(const spec::Pipeline& pipeline, const plan::PlannedJob& job,
                               const Workspace& ws, store::RunId run_id,
                               const std::string& git_commit, const std::string& version,
                               const std::vector<std::pair<std::string, std::string>>& secrets) {
  exec::JobResult r;
  r.attempts = 1;
  r.state = exec::JobState::kFailed;
  const spec::Stage* stage = job.stage;
  const spec::Environment* env = stage ? pipeline.FindEnvironment(stage->environment) : nullptr;
  if (!env) {
    r.reason = "no environment '" + (stage ? stage->environment : "") + "' in the pipeline file";
    return r;
  }
  auto st = OpenStore(ws);
  if (!st.ok()) {
    r.reason = st.error().message;
    return r;
  }
  deploy::SystemClock clock;
  deploy::DeployContext ctx = MakeDeployContext(st->get(), &clock, nullptr);
  ctx.secrets = secrets;
  ctx.print = [name = job.name](const std::string& line) {
    fmt::print("  [{}] {}\n", name, line);
    fflush(stdout);
  };
  deploy::DeployRequest req;
  req.version = version;
  req.strategy = stage->strategy;
  req.trigger = fmt::format("run {}, stage {}", run_id, stage->name);
  req.git_commit = git_commit;
  req.rollback_on_failure = stage->rollback_on_failure;
  auto d = deploy::Deployer(*env, ctx).Start(req);
  if (!d.ok()) {
    r.reason = d.error().message;
    return r;
  }
  r.outputs.emplace_back("deployment", std::to_string(d->id));
  r.outputs.emplace_back("version", d->version);
  if (d->state == store::kDeploySucceeded) {
    r.state = exec::JobState::kSuccess;
  } else {
    r.reason = fmt::format("deployment {} {}: {}", d->id, d->state, d->reason);
  }
  return r;
}

// Whether anything in the pipeline reads the changed files (filters, `if:`, templates):
// only then is git asked.
bool UsesChanges(const spec::Pipeline& p) {
  if (!p.changes.empty()) return true;
  auto mentions = [](const std::string& s) {
    return s.find("${{") != std::string::npos && s.find("changes") != std::string::npos;
  };
  for (const spec::Job& j : p.jobs) {
    if (!j.changes.empty() || j.if_expr.find("changes") != std::string::npos) return true;
    for (const std::string& c : j.commands) {
      if (mentions(c)) return true;
    }
    for (const auto& [k, v] : j.env) {
      if (mentions(v)) return true;
    }
  }
  return false;
}

// Whether any job needs the cache hooks; if none does, the scheduler runs without them.
bool UsesCacheHooks(const spec::Pipeline& p) {
  for (const spec::Job& j : p.jobs) {
    if (!j.inputs.empty() || !j.artifacts.empty() || !j.changes.empty()) return true;
  }
  return false;
}

// The `changes` context of `if:` expressions.
nlohmann::json ChangesContext(const vcs::ChangeSet& c) {
  nlohmann::json j = {{"available", c.available}};
  if (!c.available) return j;
  j["files"] = c.files;
  j["base"] = c.base;
  j["how"] = c.how;
  return j;
}

// A run whose pipeline-level `changes:` found nothing relevant: recorded as skipped, every
// job listed as skipped with the same reason, nothing started. A resumed run (run.id set)
// keeps the jobs that already succeeded and is finished as skipped the same way.
int RecordSkippedRun(store::Store& st, store::RunRecord run, const plan::Plan& plan,
                     const std::vector<std::pair<plan::JobId, exec::JobResult>>& previous,
                     const cache::ChangeDecision& decision, bool json) {
  const bool resumed = run.id != 0;
  run.status = store::RunStatus::kSkipped;
  run.reason = decision.reason;
  run.finished_ms = NowMs();
  if (!resumed) {
    run.started_ms = run.finished_ms;
    auto id = st.CreateRun(run);
    if (!id.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", id.error().message);
      return kExitInternal;
    }
    run.id = *id;
  }
  std::vector<exec::JobResult> results(plan.jobs.size());
  std::vector<bool> kept(plan.jobs.size(), false);
  // A new run records every job as skipped; a resumed one already has rows for its past.
  if (resumed) {
    for (const auto& [id, r] : previous) {
      results[id] = r;
      kept[id] = r.state == exec::JobState::kSuccess;
    }
  }
  store::Batch batch(st);
  if (resumed) {
    if (Status s = st.UpdateRun(run); !s.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", s.error().message);
      return kExitInternal;
    }
  }
  for (const plan::PlannedJob& job : plan.jobs) {
    if (kept[job.id]) continue;  // succeeded before the interruption: its row stands
    if (results[job.id].reason.empty()) results[job.id].reason = "run skipped: " + decision.reason;
    results[job.id].state = exec::JobState::kSkipped;
    store::JobRecord rec;
    rec.run_id = run.id;
    rec.index = job.id;
    rec.name = job.name;
    rec.status = store::JobStatus::kSkipped;
    rec.reason = results[job.id].reason;
    rec.finished_ms = run.finished_ms;
    if (Status s = st.UpsertJob(rec); !s.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", s.error().message);
      return kExitInternal;
    }
  }
  if (Status s = batch.Commit(); !s.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", s.error().message);
    return kExitInternal;
  }
  if (json) {
    fmt::print("{}\n", SummaryJson(run, plan, results).dump(2));
  } else {
    fmt::print("run {}: skipped ({})\n", run.id, run.reason);
  }
  return kExitOk;
}

}  // namespace

std::string PlanFingerprint(const plan::Plan& plan) {
  Hasher h;
  for (const plan::PlannedJob& job : plan.jobs) {
    h.Field(job.name);
    for (plan::JobId n : job.needs) h.Field(plan.jobs[n].name);
    h.Field("|");
  }
  return h.Final().Hex();
}

Result<std::vector<std::pair<std::string, std::string>>> ReadSecretsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Errno("cannot read secrets file " + path, errno);
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error{fmt::format("{}:{}: expected KEY=VALUE", path, n)};
    out.emplace_back(line.substr(first, eq - first), line.substr(eq + 1));
  }
  return out;
}

int Execute(const LoadedPipeline& loaded, ExecuteOptions opt) {
  const spec::Pipeline& pipeline = loaded.load->pipeline;
  const plan::Plan& plan = loaded.plan;
  auto fail = [](const std::string& msg, int code) {
    fmt::print(stderr, "gauntlet: {}\n", msg);
    return code;
  };

  Workspace ws = WorkspaceForFile(loaded.file, opt.state_dir);
  // One engine at a time per state directory, and nothing an earlier, killed one left
  // running survives into this run (docs/running.md: what runs twice, never).
  bool busy = false;
  auto engine_lock =
      store::EngineLock::Acquire(ws.state_dir, opt.wait, &busy, [](const std::string& holder) {
        fmt::print(stderr, "gauntlet: waiting for {} to finish (--wait)\n", holder);
      });
  if (!engine_lock.ok()) return fail(engine_lock.error().message, busy ? kExitBusy : kExitInternal);
  const std::string state_key = store::StateDirKey(ws.state_dir);
  // The commit, branch and trailers of a new run are read on a thread: libgit2's first
  // use costs milliseconds (it loads TLS certificates), and the first jobs need not wait
  // for it. They reach the run record at the first commit point after they are known.
  std::shared_future<Result<vcs::CommitInfo>> head;
  std::jthread git_reader;  // joined on every return
  if (!opt.resume) {
    std::promise<Result<vcs::CommitInfo>> info;
    head = info.get_future().share();
    git_reader = BackgroundThread([info = std::move(info), root = ws.root]() mutable {
      info.set_value(vcs::HeadInfo(root));
    });
  }
  auto store = OpenStore(ws);
  if (!store.ok()) return fail(store.error().message, kExitInternal);
  auto leftovers = store::KillLeftovers(**store, state_key);
  if (!leftovers.ok()) return fail(leftovers.error().message, kExitInternal);
  if (*leftovers > 0)
    fmt::print(stderr, "gauntlet: killed {} process(es) left running by an earlier engine\n",
               *leftovers);
  auto secrets = CollectSecrets(pipeline, opt.secrets_file);
  if (!secrets.ok()) return fail(secrets.error().message, kExitInvalid);

  // Changed files, only when something reads them (change filters, `if:` on changes).
  std::optional<vcs::ChangeSet> changes;
  if (UsesChanges(pipeline) || !opt.base.empty()) {
    auto cs = vcs::ChangedFilesForRun(ws.root, opt.base);
    if (!cs.ok()) {
      return fail("changed files: " + cs.error().message,
                  opt.base.empty() ? kExitInternal : kExitNotFound);
    }
    changes = vcs::Within(std::move(*cs), ws.root);  // globs are relative to the workspace
  }

  store::RunRecord run;
  std::vector<bool> kept(plan.jobs.size(), false);
  if (opt.resume) {
    // One compare-and-swap: of two engines resuming this run, one wins.
    auto claimed = store::ClaimRun(**store, opt.resume, getpid(), store::HostName(), &busy);
    if (!claimed.ok()) return fail(claimed.error().message, busy ? kExitBusy : kExitNotFound);
    run = std::move(*claimed);
    for (const auto& [id, r] : opt.previous) kept[id] = true;
  } else {
    run.pipeline = pipeline.name;
    run.file = std::filesystem::absolute(loaded.file).string();
    run.reason = opt.reason;
  }
  // Fills the run's git fields once they are known (`wait`: until they are); true when
  // they are in `r`.
  bool git_known = !head.valid();
  auto fill_git = [&head, &git_known](store::RunRecord* r, bool wait) {
    if (git_known) return true;
    if (!wait && head.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    FillGit(head.get(), r);
    git_known = true;
    return true;
  };
  // Also on --resume (with the run's own --base): a resumed run decides as a new run
  // on the same tree would; when nothing relevant changed any more, it ends skipped.
  if (changes && !pipeline.changes.empty()) {
    cache::ChangeDecision decision = cache::Decide(pipeline.changes, *changes);
    if (!decision.run) {
      run.options_json = opt.options.dump();
      run.plan_fingerprint = PlanFingerprint(plan);
      fill_git(&run, /*wait=*/true);
      return RecordSkippedRun(**store, std::move(run), plan, opt.previous, decision, opt.json);
    }
  }
  run.status = store::RunStatus::kRunning;
  run.started_ms = opt.resume ? run.started_ms : NowMs();
  run.finished_ms = 0;
  run.engine_pid = getpid();
  run.engine_host = store::HostName();
  run.options_json = opt.options.dump();
  run.plan_fingerprint = PlanFingerprint(plan);
  if (opt.resume) {
    run.reason.clear();
    Status s = (*store)->UpdateRun(run);
    if (!s.ok()) return fail(s.error().message, kExitInternal);
  } else {
    auto id = (*store)->CreateRun(run);
    if (!id.ok()) return fail(id.error().message, kExitInternal);
    run.id = *id;
  }
  engine_lock->SetRun(run.id);

  // Before any job records a report: the report recorder counts the carried ones in.
  if (!opt.resume && opt.carried_from != 0) {
    std::map<std::string, int> carried;
    for (const auto& [id, r] : opt.previous) {
      if (r.state == exec::JobState::kSuccess) carried.emplace(plan.jobs[id].name, id);
    }
    auto n = gate::CarryReports(**store, opt.carried_from, run.id, carried);
    if (!n.ok())
      fmt::print(stderr, "gauntlet: warning: carrying the reports of run {}: {}\n",
                 opt.carried_from, n.error().message);
  }

  auto log = store::LogWriter::Open(ws.logs_dir(), run.id);
  if (!log.ok()) return fail(log.error().message, kExitInternal);
  store::RunRecorder recorder(store->get(), log->get(), &run, NowMs);
  recorder.KeepRecorded(kept);
  if (head.valid()) recorder.FillLater(fill_git);

  FILE* progress_out = opt.json ? stderr : stdout;
  exec::ProgressOptions popt;
  popt.tty = isatty(fileno(progress_out));
  popt.verbose = opt.verbose;
  popt.width = TerminalWidth(fileno(progress_out));
  exec::Progress progress(popt, [progress_out](std::string_view s) {
    fwrite(s.data(), 1, s.size(), progress_out);
    fflush(progress_out);
  });
  exec::ObserverList observers;
  observers.Add(&recorder);
  const exec::Masker masker = exec::Masker::ForSecrets(*secrets);
  // Right after the recorder: its batch holds the reports with the job's result.
  std::unique_ptr<gate::ReportRecorder> reports;
  if (AnyReports(plan)) {
    std::error_code ec;
    auto root = std::filesystem::weakly_canonical(ws.root, ec);
    gate::ReportRecorder::Options ro;
    ro.workspace_root = ec ? ws.root : root.string();
    ro.repo_root = RepoRoot(ro.workspace_root);
    ro.now_ms = NowMs;
    ro.masker = &masker;
    reports = std::make_unique<gate::ReportRecorder>(store->get(), log->get(), run.id, ro);
    observers.Add(reports.get());
  }
  observers.Add(&progress);

  exec::LocalRunnerOptions ropt;
  ropt.catch_cancel_signals = true;
  auto runner = exec::LocalRunner::Create(ropt);
  if (!runner.ok()) return fail(runner.error().message, kExitInternal);

  exec::SchedulerOptions sopt;
  sopt.parallelism = opt.parallelism;
  sopt.keep_going = opt.keep_going;
  sopt.run_id = std::to_string(run.id);
  sopt.process_tag = state_key + "/" + sopt.run_id;
  if (opt.resume) {
    auto made = store::AttemptsMade(**store, run.id, **log, plan.jobs.size());
    if (!made.ok()) return fail(made.error().message, kExitInternal);
    sopt.attempts_before = std::move(*made);
  }
  sopt.resolve_branch = [&run, &fill_git] {
    fill_git(&run, /*wait=*/true);
    return run.git_branch;
  };
  sopt.event = "manual";
  sopt.secrets = *secrets;  // a copy stays for deploy stages
  sopt.previous = std::move(opt.previous);
  if (changes) sopt.changes = ChangesContext(*changes);

  std::optional<store::CacheHooks> hooks;
  if (UsesCacheHooks(pipeline)) {
    store::CacheHooksOptions hopt;
    hopt.workspace = ws.root;
    hopt.artifacts_dir = ws.artifacts_dir();
    hopt.stat_cache = ws.state_dir + "/inputs.stat";
    hopt.lookup = !opt.no_cache;
    fill_git(&run, /*wait=*/true);  // the branch is part of what the hooks decide on
    hopt.branch = run.git_branch;
    hopt.event = sopt.event;
    hopt.changes = changes ? &*changes : nullptr;
    hooks.emplace(plan, store->get(), std::move(hopt));
    sopt.hooks = &*hooks;
  }

  // Jobs run in the workspace (the pipeline file's directory), not wherever gauntlet was
  // started; a job's working_directory is relative to it.
  // Deploy stages run on threads of their own so the event loop keeps serving the other
  // jobs; the version is read here, on the scheduler's thread, from finished needs.
  std::vector<std::thread> deploys;
  exec::Scheduler* sched = nullptr;
  sopt.deploy = [&](const plan::PlannedJob& job, exec::DeployDone done) {
    fill_git(&run, /*wait=*/true);
    std::string version = DeployVersion(job, sched->results(), run);
    // Copies: the recorder updates `run` on this thread meanwhile.
    deploys.emplace_back([&pipeline, &job, &ws, &secrets, id = run.id, commit = run.git_commit,
                          version, done = std::move(done)] {
      done(RunDeployStage(pipeline, job, ws, id, commit, version, *secrets));
    });
  };

  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  std::filesystem::current_path(ws.root, ec);
  exec::Scheduler scheduler(plan, runner->get(), &observers, std::move(sopt));
  sched = &scheduler;
  exec::RunResult result = scheduler.Run();
  for (std::thread& t : deploys) t.join();
  std::filesystem::current_path(cwd, ec);

  Status closed = (*log)->Close();
  // A result that did not reach the disk was not recorded: never report success for it.
  std::string storage_error = !result.storage_error.empty() ? result.storage_error
                              : !recorder.status().ok()     ? recorder.status().error().message
                              : !closed.ok()                ? closed.error().message
                                                            : "";
  if (reports) {
    for (const std::string& w : reports->warnings())
      fmt::print(stderr, "gauntlet: warning: {}\n", w);
    if (!reports->status().ok())
      fmt::print(stderr, "gauntlet: warning: recording reports: {}\n",
                 reports->status().error().message);
  }

  if (opt.json) {
    nlohmann::json summary = SummaryJson(run, plan, scheduler.results());
    if (reports) summary["warnings"] = reports->warnings();
    fmt::print("{}\n", summary.dump(2));
  } else {
    fmt::print("run {}: {}{}\n", run.id, store::ToString(run.status),
               run.reason.empty() ? "" : " (" + run.reason + ")");
  }
  if (!storage_error.empty()) {
    fmt::print(stderr,
               "gauntlet: storage error: {}\ngauntlet: run {} could not be recorded and was "
               "stopped; free space, then continue it with `gauntlet run --resume {}`\n",
               masker.MaskString(storage_error), run.id, run.id);
    return kExitStorage;
  }
  switch (result.state) {
    case exec::RunState::kSuccess:
      return kExitOk;
    case exec::RunState::kFailed:
      return kExitFailed;
    case exec::RunState::kCancelled:
      return kExitCancelled;
  }
  return kExitInternal;
}

}  // namespace gauntlet::cli
