// `gauntlet runs`: the recent runs of this workspace, newest first.
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct RunsArgs {
  int limit = 20;
  std::string pipeline, status, branch, state_dir;
};

int RunRuns(const RunsArgs& args, const GlobalOptions& global) {
  store::RunFilter filter;
  filter.limit = args.limit;
  if (!args.pipeline.empty()) filter.pipeline = args.pipeline;
  if (!args.branch.empty()) filter.branch = args.branch;
  // 'interrupted' is both a stored status (after --resume/cancel noticed it) and
  // what a 'running' run with a dead engine is shown as: both are listed for it.
  std::optional<store::RunStatus> wanted;
  if (!args.status.empty()) {
    wanted = store::ParseRunStatus(args.status);
    if (!wanted) {
      fmt::print(stderr, "gauntlet: unknown status '{}'\n", args.status);
      return kExitInvalid;
    }
  }
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;

  std::vector<store::RunRecord> runs;
  auto list = [&](std::optional<store::RunStatus> status) -> bool {
    store::RunFilter f = filter;
    f.status = status;
    auto r = h->store->ListRuns(f);
    if (!r.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", r.error().message);
      return false;
    }
    for (auto& run : *r) {
      if (!wanted || ShownStatus(run) == store::ToString(*wanted)) runs.push_back(std::move(run));
    }
    return true;
  };
  if (wanted == store::RunStatus::kInterrupted) {
    if (!list(store::RunStatus::kRunning) || !list(store::RunStatus::kInterrupted))
      return kExitInternal;
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    if (static_cast<int>(runs.size()) > args.limit) runs.resize(args.limit);
  } else if (!list(wanted)) {
    return kExitInternal;
  }

  // Test counts and coverage (runs whose jobs have `reports:`).
  std::map<store::RunId, std::map<std::string, double>> metrics;
  for (const auto& run : runs) {
    auto m = h->store->GetMetrics(run.id);
    if (m.ok()) metrics[run.id] = std::move(*m);
  }
  int64_t now = RealClock().UnixMs();
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : runs) {
      nlohmann::json j = engine::RunJson(run, now);
      j["tests"] = engine::TestsJson(metrics[run.id]);
      j["coverage"] = engine::CoverageJson(metrics[run.id]);
      out.push_back(std::move(j));
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (runs.empty()) {
    fmt::print("no runs\n");
    return kExitOk;
  }
  size_t pw = 8, bw = 6;
  for (const auto& run : runs) {
    pw = std::max(pw, run.pipeline.size());
    bw = std::max(bw, run.git_branch.size());
  }
  fmt::print("{:>5}  {:<{}}  {:<10}  {:<{}}  {:<11}  {:<19}  {:<8}  {:<9}  {}\n", "ID", "PIPELINE",
             pw, "COMMIT", "BRANCH", bw, "STATUS", "STARTED", "DURATION", "TESTS", "COVERAGE");
  for (const auto& run : runs) {
    std::string commit = run.git_commit.substr(0, 10);
    // TESTS: passed/total; COVERAGE: line percent; "-" without reports.
    const auto& m = metrics[run.id];
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
