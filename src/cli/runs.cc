// `gauntlet runs`: the recent runs of this workspace, newest first.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/server_client.h"
#include "core/clock.h"
#include "engine/run_list.h"
#include "store/store.h"

namespace gauntlet::cli {
namespace {

struct RunsArgs {
  int limit = 20;
  std::string pipeline, status, branch, state_dir;
  ServerFlags server;
};

// A title on one line of the table (a run-name may quote a commit message).
std::string RunTitleLine(std::string title) {
  for (char& c : title)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return title;
}

// The table, from the runs as `runs --json` shows them: the same whether they were read
// here or from a server.
void PrintRunsTable(const nlohmann::json& runs) {
  size_t pw = 8, bw = 6;
  bool titles = false;  // the TITLE column (run-name) only when a run has one
  for (const nlohmann::json& r : runs) {
    pw = std::max(pw, r["pipeline"].get<std::string>().size());
    bw = std::max(bw, r["git"]["branch"].get<std::string>().size());
    titles = titles || !r.value("title", "").empty();
  }
  fmt::print("{:>5}  {:<{}}  {:<10}  {:<{}}  {:<11}  {:<19}  {:<8}  {:<9}  {:<8}{}\n", "ID",
             "PIPELINE", pw, "COMMIT", "BRANCH", bw, "STATUS", "STARTED", "DURATION", "TESTS",
             "COVERAGE", titles ? "  TITLE" : "");
  for (const nlohmann::json& r : runs) {
    const std::string commit = r["git"]["commit"].get<std::string>().substr(0, 10);
    const std::string branch = r["git"]["branch"].get<std::string>();
    // TESTS: passed/total; COVERAGE: line percent; "-" without reports.
    std::string tests = "-", coverage = "-";
    if (const auto& t = r["tests"]; !t.is_null())
      tests = fmt::format("{}/{}", t["passed"].get<int>(), t["total"].get<int>());
    if (const auto& c = r["coverage"]; !c.is_null())
      coverage = fmt::format("{:.1f}%", c["line"].get<double>());
    const std::string title = r.value("title", "");
    std::string line = fmt::format(
        "{:>5}  {:<{}}  {:<10}  {:<{}}  {:<11}  {:<19}  {:<8}  {:<9}  {:<8}{}",
        r["id"].get<int64_t>(), r["pipeline"].get<std::string>(), pw,
        commit.empty() ? "-" : commit, branch.empty() ? "-" : branch, bw,
        r["status"].get<std::string>(), LocalTime(r["started_ms"].get<int64_t>()),
        HumanDuration(r["duration_ms"].get<int64_t>()), tests, coverage,
        titles ? "  " + (title.empty() ? std::string("-") : RunTitleLine(title)) : "");
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
}

// GET /api/v1/runs with the same filters.
int RunsFromServer(const RunsArgs& args, nlohmann::json* runs) {
  std::string path = "/api/v1/runs?limit=" + std::to_string(args.limit);
  const std::pair<const char*, std::string> params[] = {
      {"repo", args.server.repo}, {"pipeline", args.pipeline}, {"status", args.status},
      {"branch", args.branch}};
  for (const auto& [key, value] : params)
    if (!value.empty()) path += std::string("&") + key + "=" + QueryValue(value);
  auto answer = GetFromServer(args.server, path);
  if (!answer.ok()) return Fail(answer.error());
  if (answer->status != 200) return ServerRefused(*answer);
  *runs = answer->body.value("runs", nlohmann::json::array());
  return kExitOk;
}

int RunsHere(const RunsArgs& args, nlohmann::json* out) {
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
  const int64_t now = RealClock().UnixMs();
  *out = nlohmann::json::array();
  for (const engine::ListedRun& r : *runs) out->push_back(engine::ListedRunJson(r, now));
  return kExitOk;
}

int RunRuns(const RunsArgs& args, const GlobalOptions& global) {
  nlohmann::json runs;
  const int code = args.server.Url().empty() ? RunsHere(args, &runs) : RunsFromServer(args, &runs);
  if (code != kExitOk) return code;
  if (global.json) {
    fmt::print("{}\n", runs.dump(2));
    return kExitOk;
  }
  if (runs.empty()) {
    fmt::print("no runs\n");
    return kExitOk;
  }
  PrintRunsTable(runs);
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
      "`reports:` ('-' otherwise), and its title (a workflow's run-name, a pipeline's\n"
      "run_name) when a run listed has one (\"title\" in --json, \"\" without). A run still recorded as running whose engine process\n"
      "is gone from this host is shown as 'interrupted' (resume it with\n"
      "`gauntlet run --resume`). --json adds \"tests\" and \"coverage\" (null without).\n"
      "--server URL (or $GAUNTLET_SERVER): the runs of a repository a gauntlet serve\n"
      "watches (--repo NAME), with a read token (--token-file, or $GAUNTLET_TOKEN); the\n"
      "same output (docs/server.md).\n"
      "Exit codes: 0 listed, 1 refused by the server, 2 usage error, 3 no run history here\n"
      "(or no such repository), 4 internal error or the server cannot be reached.\n");
  cmd->add_option("-n,--limit", args->limit, "At most this many runs (default 20)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--pipeline", args->pipeline, "Only runs of this pipeline");
  cmd->add_option("--status", args->status,
                  "Only runs with this status (running, success, failed, cancelled, "
                  "interrupted, ...)");
  cmd->add_option("--branch", args->branch, "Only runs of this git branch");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunRuns(*args, global); };
}

}  // namespace gauntlet::cli
