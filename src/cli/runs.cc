// `gauntlet runs`: the recent runs of this workspace, newest first.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "engine/run_list.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct RunsArgs {
  int limit = 20;
  std::string pipeline, status, branch, state_dir;
};

void PrintRunsTable(const std::vector<engine::ListedRun>& runs, int64_t now) {
  size_t pw = 8, bw = 6;
  for (const auto& [run, m] : runs) {
    pw = std::max(pw, run.pipeline.size());
    bw = std::max(bw, run.git_branch.size());
  }
  fmt::print("{:>5}  {:<{}}  {:<10}  {:<{}}  {:<11}  {:<19}  {:<8}  {:<9}  {}\n", "ID", "PIPELINE",
             pw, "COMMIT", "BRANCH", bw, "STATUS", "STARTED", "DURATION", "TESTS", "COVERAGE");
  for (const auto& [run, m] : runs) {
    std::string commit = run.git_commit.substr(0, 10);
    // TESTS: passed/total; COVERAGE: line percent; "-" without reports.
    std::string tests = "-", coverage = "-";
    if (auto t = engine::TestsJson(m); !t.is_null())
      tests = fmt::format("{}/{}", t["passed"].get<int>(), t["total"].get<int>());
    if (auto c = engine::CoverageJson(m); !c.is_null())
      coverage = fmt::format("{:.1f}%", c["line"].get<double>());
    std::string line = fmt::format(
        "{:>5}  {:<{}}  {:<10}  {:<{}}  {:<11}  {:<19}  {:<8}  {:<9}  {}", run.id, run.pipeline, pw,
        commit.empty() ? "-" : commit, run.git_branch.empty() ? "-" : run.git_branch, bw,
        ShownStatus(run), LocalTime(run.started_ms),
        HumanDuration(ElapsedMs(run.started_ms, run.finished_ms, now)), tests, coverage);
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
}

int RunRuns(const RunsArgs& args, const GlobalOptions& global) {
  store::RunFilter filter;
  filter.limit = args.limit;
  if (!args.pipeline.empty()) filter.pipeline = args.pipeline;
  if (!args.branch.empty()) filter.branch = args.branch;
  if (!args.status.empty()) {
    filter.status = store::ParseRunStatus(args.status);
    if (!filter.status) {
      fmt::print(stderr, "gauntlet: unknown status '{}'\n", args.status);
      return kExitInvalid;
    }
  }
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto runs = engine::FindRuns(*h->store, filter);
  if (!runs.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", runs.error().message);
    return kExitInternal;
  }
  int64_t now = RealClock().UnixMs();
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [run, m] : *runs) {
      nlohmann::json j = engine::RunJson(run, now);
      j["tests"] = engine::TestsJson(m);
      j["coverage"] = engine::CoverageJson(m);
      out.push_back(std::move(j));
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (runs->empty()) {
    fmt::print("no runs\n");
    return kExitOk;
  }
  PrintRunsTable(*runs, now);
  return kExitOk;
}

}  // namespace

void RegisterRuns(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<RunsArgs>();
  CLI::App* cmd = app.add_subcommand("runs", "List recent runs, newest first");
  cmd->footer(
      "Lists the runs recorded in .gauntlet/state.db (found from the current directory\n"
      "upward, or --state-dir): id, pipeline, commit, branch, status, start time (local),\n"
      "duration, and its tests (passed/total) and line coverage when its jobs have\n"
      "`reports:` ('-' otherwise). A run still recorded as running whose engine process\n"
      "is gone from this host is shown as 'interrupted' (resume it with\n"
      "`gauntlet run --resume`). --json adds \"tests\" and \"coverage\" (null without).\n"
      "Exit codes: 0 listed, 2 usage error, 3 no run history here, 4 internal error.\n");
  cmd->add_option("-n,--limit", args->limit, "At most this many runs (default 20)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--pipeline", args->pipeline, "Only runs of this pipeline");
  cmd->add_option("--status", args->status,
                  "Only runs with this status (running, success, failed, cancelled, "
                  "interrupted, ...)");
  cmd->add_option("--branch", args->branch, "Only runs of this git branch");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunRuns(*args, global); };
}

}  // namespace gauntlet::cli
