#include <fmt/core.h>
#include <unistd.h>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/execute.h"
#include "cli/pipeline_arg.h"
#include "cli/run_seed.h"
#include "cli/workspace.h"

namespace gauntlet::cli {
namespace {

struct RetryFlags {
  int64_t run = 0;
  int jobs = 0;
  bool keep_going = false;
  bool verbose = false;
  std::string secrets_file;
  std::string state_dir;
  bool wait = false;
};

int RetryCommand(const RetryFlags& flags, const GlobalOptions& global) {
  auto fail = [](const std::string& msg, int code) {
    fmt::print(stderr, "gauntlet: {}\n", msg);
    return code;
  };
  auto ws = FindWorkspace(flags.state_dir);
  if (!ws.ok()) return fail(ws.error().message, kExitNotFound);
  auto st = OpenStore(*ws);
  if (!st.ok()) return fail(st.error().message, kExitInternal);

  std::optional<store::RunRecord> original;
  if (flags.run) {
    auto r = (*st)->GetRun(flags.run);
    if (!r.ok()) return fail(r.error().message, kExitInternal);
    original = *r;
  } else {
    auto r = (*st)->LatestRun(std::nullopt);
    if (!r.ok()) return fail(r.error().message, kExitInternal);
    original = *r;
  }
  if (!original) return fail(flags.run ? fmt::format("no run {}", flags.run) : "no runs yet",
                             kExitNotFound);
  if (original->status == store::RunStatus::kRunning &&
      store::ProcessAlive(original->engine_pid) && original->engine_host == store::HostName())
    return fail(fmt::format("run {} is still running", original->id), kExitFailed);

  LoadedPipeline loaded;
  int code = LoadPipeline(original->file, &loaded);
  if (code != kExitOk || !loaded.ok()) {
    PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
    return code != kExitOk ? code : kExitInvalid;
  }
  const plan::Plan& plan = loaded.plan;

  // Re-run every job that did not succeed, and everything downstream of one.
  auto succeeded = SucceededJobs(**st, original->id, plan, /*resumed=*/true);
  if (!succeeded.ok()) return fail(succeeded.error().message, kExitInternal);
  std::vector<bool> ok(plan.jobs.size(), false);
  for (const auto& [id, r] : *succeeded) ok[id] = true;
  std::vector<bool> rerun(plan.jobs.size(), false);
  for (const plan::PlannedJob& job : plan.jobs) {  // topological order: needs come first
    bool upstream = std::any_of(job.needs.begin(), job.needs.end(),
                                [&](plan::JobId n) { return rerun[n]; });
    rerun[job.id] = !ok[job.id] || upstream;
  }
  ExecuteOptions opt;
  int count = 0;
  for (auto& [id, r] : *succeeded) {
    if (!rerun[id]) opt.previous.emplace_back(id, std::move(r));
  }
  for (bool r : rerun) count += r;
  if (count == 0) {
    if (!global.json) fmt::print("run {} has nothing to retry: every job succeeded\n", original->id);
    else fmt::print("{{\"run\": {}, \"retried\": 0}}\n", original->id);
    return kExitOk;
  }
  if (!global.json)
    fmt::print("retrying run {}: {} job(s) to run, {} taken from it\n", original->id, count,
               opt.previous.size());
  opt.parallelism = flags.jobs;
  opt.keep_going = flags.keep_going;
  opt.verbose = flags.verbose;
  opt.json = global.json;
  opt.color = global.color;
  opt.secrets_file = flags.secrets_file;
  opt.state_dir = ws->state_dir;
  opt.wait = flags.wait;
  opt.reason = fmt::format("retry of run {}", original->id);
  opt.options["retry_of"] = original->id;
  opt.carried_from = original->id;
  return Execute(loaded, std::move(opt));
}

}  // namespace

void RegisterRetry(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<RetryFlags>();
  CLI::App* cmd = app.add_subcommand("retry", "Re-run the failed jobs of a run");
  cmd->footer(
      "Starts a new run of the same pipeline file that runs only the jobs that did not\n"
      "succeed in RUN (default: the latest run) and everything that depends on them; the\n"
      "other jobs are taken from RUN, with their outputs, artifacts and reports (JUnit,\n"
      "coverage: the new run's test and coverage figures count them, and so does\n"
      "`gauntlet gate`). Exit codes as for `run`.\n");
  cmd->add_option("RUN", flags->run, "Run id (default: the latest run)");
  cmd->add_option("-j,--jobs", flags->jobs, "Jobs run at once (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--keep-going", flags->keep_going, "After a failure, keep starting other jobs");
  cmd->add_flag("-v,--verbose", flags->verbose, "Stream every job's output");
  cmd->add_option("--secrets-file", flags->secrets_file, "KEY=VALUE lines, masked everywhere");
  cmd->add_option("--state-dir", flags->state_dir, "Where state lives (default: found upward)");
  cmd->add_flag("--wait", flags->wait,
                "When another engine runs jobs with this state directory, wait for it");
  cmd->add_flag("--json", global.json, "Print a JSON summary on stdout");
  *run = [flags, &global]() -> int { return RetryCommand(*flags, global); };
}

}  // namespace gauntlet::cli
