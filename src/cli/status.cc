// `gauntlet status [RUN]`: one run's header and its jobs with state and timing.
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "core/clock.h"
#include "engine/run_detail.h"

namespace gauntlet::cli {
namespace {

struct StatusArgs {
  std::string run, state_dir;
};

// The run's header, its jobs as a table, and the warnings of their report files.
void PrintStatus(const engine::RunDetail& d, int64_t now) {
  const store::RunRecord* run = &d.run;
  const std::vector<store::JobRecord>* jobs = &d.jobs;
  const std::map<std::string, double>* metrics = &d.metrics;
  std::map<int, std::vector<store::AttemptRecord>> by_job;
  for (const auto& a : d.attempts) by_job[a.job_index].push_back(a);
  auto report_warnings = d.report_warnings;
  fmt::print("run {}  {}  {}\n", run->id, run->pipeline, ShownStatus(*run));
  if (!run->reason.empty()) fmt::print("reason:   {}\n", run->reason);
  if (EngineGone(*run))
    fmt::print("engine:   pid {} on {} is gone (resume with `gauntlet run --resume {}`)\n",
               run->engine_pid, run->engine_host, run->id);
  if (!run->git_commit.empty()) {
    fmt::print("commit:   {} ({})\n", run->git_commit, run->git_branch);
    if (!run->author_name.empty() || !run->author_email.empty())
      fmt::print("author:   {} <{}>\n", run->author_name, run->author_email);
    if (!run->subject.empty()) fmt::print("subject:  {}\n", run->subject);
    for (const auto& [k, v] : run->trailers) fmt::print("trailer:  {}: {}\n", k, v);
  }
  fmt::print("started:  {}\n", LocalTime(run->started_ms));
  fmt::print("duration: {}{}\n", HumanDuration(ElapsedMs(run->started_ms, run->finished_ms, now)),
             run->finished_ms > 0 ? "" : " (so far)");
  if (std::string t = TestsSummary(*metrics); !t.empty()) fmt::print("tests:    {}\n", t);
  if (std::string c = CoverageSummary(*metrics); !c.empty()) fmt::print("coverage: {}\n", c);
  for (const auto& [k, v] : *metrics) fmt::print("metric:   {} = {}\n", k, v);
  if (jobs->empty()) {
    fmt::print("\nno jobs recorded\n");
    return;
  }
  size_t nw = 3;
  for (const auto& j : *jobs) nw = std::max(nw, j.name.size());
  fmt::print("\n{:<{}}  {:<9}  {:>8}  {:>8}  {:<20}  {}\n", "JOB", nw, "STATUS", "ATTEMPTS",
             "DURATION", "LAST EXIT", "REASON");
  for (const auto& j : *jobs) {
    const auto& as = by_job[j.index];
    std::string exit = as.empty() ? "-" : DescribeExit(as.back());
    std::string dur =
        j.started_ms > 0 ? HumanDuration(ElapsedMs(j.started_ms, j.finished_ms, now)) : "-";
    std::string line = fmt::format("{:<{}}  {:<9}  {:>8}  {:>8}  {:<20}  {}", j.name, nw,
                                   store::ToString(j.status), j.attempts, dur, exit, j.reason);
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
  for (const auto& j : *jobs) {
    for (const std::string& w : report_warnings[j.index])
      fmt::print("warning: job '{}': {}\n", j.name, w);
  }
}

int RunStatusCommand(const StatusArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto found = ResolveRun(*h->store, args.run, &code);
  if (!found) return code;
  auto detail = engine::ReadRunDetail(*h->store, *found);
  if (!detail.ok()) return Fail(detail.error());
  const int64_t now = RealClock().UnixMs();
  if (global.json) {
    fmt::print("{}\n", engine::RunDetailJson(*detail, now).dump(2));
    return kExitOk;
  }
  PrintStatus(*detail, now);
  return kExitOk;
}

}  // namespace

void RegisterStatus(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show one run: its context and its jobs");
  cmd->footer(
      "Shows a run (RUN: a run id; default: the latest run): pipeline, status and why,\n"
      "the git commit, branch, author and trailers it ran on, and its duration; then\n"
      "every job with its status, attempts, duration, how its last attempt ended (exit\n"
      "code, signal, timeout) and why. --json adds every attempt's wall time, user and\n"
      "system CPU and peak RSS, and the jobs' outputs (secrets already masked).\n"
      "A run whose jobs have `reports:` shows its test counts and coverage (tests:,\n"
      "coverage:) and any problem reading a report file (warning:).\n"
      "Exit codes: 0 shown, 2 usage error, 3 no such run or no history, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunStatusCommand(*args, global); };
}

}  // namespace gauntlet::cli
