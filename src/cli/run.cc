#include <fmt/core.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/execute.h"
#include "cli/pipeline_arg.h"
#include "cli/run_seed.h"
#include "cli/workspace.h"
#include "plan/select.h"
#include "store/run_claim.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct RunFlags {
  std::string file;
  std::vector<std::string> only;
  std::string from;
  int jobs = 0;
  bool keep_going = false;
  bool verbose = false;
  bool resume = false;
  int64_t resume_run = 0;
  std::string secrets_file;
  std::string state_dir;
  bool no_cache = false;
  std::string base;
  bool wait = false;
};

// The run --resume continues: the one named, else the newest of this pipeline that
// was interrupted (its engine died), cancelled, or stopped because it could not be
// recorded. *busy: another live engine drives it. Execute claims it (store/run_claim.h).
Result<store::RunRecord> FindResumable(store::Store& st, const std::string& pipeline,
                                       int64_t wanted, bool* busy) {
  *busy = false;
  if (wanted) {
    auto r = st.GetRun(wanted);
    if (!r.ok()) return r.error();
    if (!*r) return Error{fmt::format("no run {}", wanted)};
    if (Status s = store::CheckResumable(**r, busy); !s.ok()) return s.error();
    return **r;
  }
  auto dead = st.FindInterruptedRuns(store::HostName(), store::ProcessAlive);
  if (!dead.ok()) return dead.error();
  store::RunFilter f;
  f.pipeline = pipeline;
  f.limit = 20;
  auto recent = st.ListRuns(f);
  if (!recent.ok()) return recent.error();
  for (const store::RunRecord& run : *recent) {
    bool interrupted = std::any_of(dead->begin(), dead->end(),
                                   [&](const store::RunRecord& d) { return d.id == run.id; });
    if (interrupted || run.status == store::RunStatus::kInterrupted ||
        run.status == store::RunStatus::kCancelled || store::StoppedByStorageError(run))
      return run;
    if (run.status != store::RunStatus::kRunning) break;  // newest finished run: nothing to resume
    // Running, its engine alive on this host: someone is resuming (or running) it now.
    if (Status s = store::CheckResumable(run, busy); !s.ok() && *busy &&
        run.engine_host == store::HostName())
      return s.error();
  }
  return Error{"no interrupted run of pipeline '" + pipeline + "' to resume"};
}

int RunCommand(const RunFlags& flags, const GlobalOptions& global) {
  LoadedPipeline loaded;
  int code = LoadPipeline(flags.file, &loaded);
  if (code != kExitOk || !loaded.ok()) {
    if (global.json) {
      nlohmann::json out = ProblemsJson(loaded);
      out["status"] = "invalid";
      fmt::print("{}\n", out.dump(2));
    } else {
      PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
    }
    return code != kExitOk ? code : kExitInvalid;
  }
  const plan::Plan& plan = loaded.plan;

  ExecuteOptions opt;
  opt.parallelism = flags.jobs;
  opt.keep_going = flags.keep_going;
  opt.verbose = flags.verbose;
  opt.json = global.json;
  opt.color = global.color;
  opt.secrets_file = flags.secrets_file;
  opt.state_dir = flags.state_dir;
  opt.no_cache = flags.no_cache;
  opt.base = flags.base;
  opt.wait = flags.wait;
  std::vector<std::string> only = flags.only;
  std::string from = flags.from;

  // Only --resume and --from read earlier runs here; Execute opens the store for the run.
  Workspace ws = WorkspaceForFile(loaded.file, flags.state_dir);
  Result<std::unique_ptr<store::SqliteStore>> st = Error{""};
  if (flags.resume || !from.empty()) {
    st = OpenStore(ws);
    if (!st.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", st.error().message);
      return kExitInternal;
    }
  }

  if (flags.resume) {
    bool busy = false;
    auto run = FindResumable(**st, loaded.load->pipeline.name, flags.resume_run, &busy);
    if (!run.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", run.error().message);
      return busy ? kExitBusy : kExitNotFound;
    }
    if (!run->plan_fingerprint.empty() && run->plan_fingerprint != PlanFingerprint(plan)) {
      fmt::print(stderr,
                 "gauntlet: the pipeline's jobs changed since run {} started: it cannot be "
                 "resumed (start a new run)\n",
                 run->id);
      return kExitInvalid;
    }
    // The selection the run started with still applies, unless the user gives another.
    auto saved = nlohmann::json::parse(run->options_json, nullptr, false);
    if (only.empty() && from.empty() && saved.is_object()) {
      if (saved.contains("only")) only = saved["only"].get<std::vector<std::string>>();
      if (saved.contains("from")) from = saved["from"].get<std::string>();
    }
    // So do --no-cache and --base: the resumed part must decide caching and changed
    // files as the first part did. A --base given now wins; --no-cache only adds.
    if (saved.is_object()) {
      if (saved.value("no_cache", false)) opt.no_cache = true;
      if (flags.base.empty() && saved.contains("base") && saved["base"].is_string())
        opt.base = saved["base"].get<std::string>();
    }
    auto prev = SucceededJobs(**st, run->id, plan, /*resumed=*/true);
    if (!prev.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", prev.error().message);
      return kExitInternal;
    }
    opt.previous = std::move(*prev);
    opt.resume = run->id;
    if (!global.json)
      fmt::print("resuming run {}: {} job(s) already succeeded\n", run->id, opt.previous.size());
  }

  if (!only.empty() || !from.empty()) {
    if (!only.empty() && !from.empty()) {
      fmt::print(stderr, "gauntlet: --only and --from cannot be combined\n");
      return kExitInvalid;
    }
    auto selected = only.empty() ? plan::SelectFrom(plan, from) : plan::SelectOnly(plan, only);
    if (!selected.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", selected.error().message);
      return kExitNotFound;
    }
    // Needs of a --from selection take their outputs from the pipeline's latest run.
    std::vector<std::pair<plan::JobId, exec::JobResult>> earlier;
    if (!from.empty()) {
      auto latest = (*st)->LatestRun(loaded.load->pipeline.name);
      if (latest.ok() && *latest) {
        auto prev = SucceededJobs(**st, (*latest)->id, plan, /*resumed=*/true);
        if (prev.ok()) earlier = std::move(*prev);
        // A resumed run holds the reports already; a new one carries them over.
        if (prev.ok() && !opt.resume) opt.carried_from = (*latest)->id;
      }
    }
    AddUnselected(plan, *selected, earlier, only.empty() ? "--from" : "--only", &opt.previous);
    opt.options["only"] = only;
    if (!from.empty()) opt.options["from"] = from;
  }
  opt.options["jobs"] = flags.jobs;
  opt.options["keep_going"] = flags.keep_going;
  if (opt.no_cache) opt.options["no_cache"] = true;
  if (!opt.base.empty()) opt.options["base"] = opt.base;
  return Execute(loaded, std::move(opt));
}

}  // namespace

void RegisterRun(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a pipeline and record it");
  cmd->footer(
      "Runs the pipeline's jobs as a DAG: a job starts as soon as its needs are done and a\n"
      "slot is free. Output streams to .gauntlet/logs, results to .gauntlet/state.db,\n"
      "committed before any dependent starts (others within 100 ms), so a killed engine\n"
      "loses almost nothing and `gauntlet run --resume` continues the run, keeping the\n"
      "jobs that succeeded and the --only/--from/--no-cache/--base it started with; its\n"
      "pipeline-level `changes:` filter is applied again (nothing relevant: ends skipped).\n"
      "Jobs with `inputs:` are cached: when their inputs, definition and needs' outputs match\n"
      "an earlier successful run they are reported `cached` and not run (see docs/caching.md);\n"
      "each input file is read once per run, and not at all when .gauntlet/inputs.stat shows\n"
      "it unchanged since an earlier run.\n"
      "`changes:` filters skip the run, or a job, when no changed file is relevant; changed\n"
      "files are counted from --base REF (default: the merge-base with the default branch).\n"
      "One engine at a time runs jobs with a state directory: another one is refused, naming\n"
      "the holder (--wait: wait for it). Before the first job starts, what killed engines of\n"
      "this workspace left running is killed. A run that cannot be recorded (a full disk)\n"
      "stops at once, ends failed and is resumable with --resume once space is freed.\n"
      "Ctrl-C cancels cleanly. Exit codes: 0 success, 1 a job failed, 2 invalid pipeline or\n"
      "usage, 3 not found (file, job, run to resume, --base ref), 4 internal error, 5 the run\n"
      "could not be recorded (storage), 6 busy (another engine holds the workspace or the\n"
      "run), 130 cancelled.\n");
  cmd->add_option("FILE", flags->file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_option("--only", flags->only, "Run only these jobs (and what they need)")
      ->expected(1, -1);
  cmd->add_option("--from", flags->from,
                  "Run this job and everything after it; its needs' outputs come from the "
                  "latest run");
  cmd->add_option("-j,--jobs", flags->jobs, "Jobs run at once (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--keep-going", flags->keep_going,
                "After a failure, keep starting jobs that do not depend on it");
  cmd->add_flag("-v,--verbose", flags->verbose, "Stream every job's output, prefixed by its name");
  CLI::Option* resume = cmd->add_option(
      "--resume", flags->resume_run,
      "Continue an interrupted or cancelled run in place (default: the newest one)");
  resume->expected(0, 1);
  cmd->add_option("--secrets-file", flags->secrets_file,
                  "KEY=VALUE lines; every value is masked in all output");
  cmd->add_option("--state-dir", flags->state_dir, "Where state lives (default: .gauntlet beside FILE)");
  cmd->add_flag("--no-cache", flags->no_cache,
                "Run every job even when a cached result exists (new results are still cached)");
  cmd->add_option("--base", flags->base,
                  "Count changed files from the merge-base with this ref (default: the default "
                  "branch; on it, the last commit)");
  cmd->add_flag("--wait", flags->wait,
                "When another engine runs jobs with this state directory, wait for it instead "
                "of refusing");
  cmd->add_flag("--json", global.json, "Print a JSON summary on stdout (progress goes to stderr)");
  *run = [flags, resume, &global]() -> int {
    flags->resume = resume->count() > 0;
    return RunCommand(*flags, global);
  };
}

}  // namespace gauntlet::cli
