// `gauntlet status [RUN]`: one run's header and its jobs with state and timing.
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/server_client.h"
#include "core/clock.h"
#include "engine/run_detail.h"

namespace gauntlet::cli {
namespace {

struct StatusArgs {
  std::string run, state_dir;
  ServerFlags server;
};

using nlohmann::json;

// How an attempt in RunDetailJson ended ("exit 1", "timeout, SIGKILL").
std::string ExitOfJson(const json& attempt) {
  store::AttemptRecord a;
  a.exit_code = attempt.value("exit_code", -1);
  a.signal = attempt.value("signal", 0);
  a.timed_out = attempt.value("timed_out", false);
  return DescribeExit(a);
}

// The run's header, its jobs as a table, and the warnings of their report files, from
// the run as `status --json` shows it: the same whether it was read here or from a server.
void PrintStatus(const json& d) {
  store::RunRecord run;  // what EngineGone looks at
  run.status = store::ParseRunStatus(d.value("recorded_status", "")).value_or(run.status);
  run.engine_pid = d["engine"].value("pid", int64_t{0});
  run.engine_host = d["engine"].value("host", "");
  const json& git = d["git"];
  std::map<std::string, double> metrics = d.value("metrics", std::map<std::string, double>{});
  fmt::print("run {}  {}  {}\n", d["id"].get<int64_t>(), d["pipeline"].get<std::string>(),
             d["status"].get<std::string>());
  if (const std::string title = d.value("title", ""); !title.empty())
    fmt::print("title:    {}\n", title);
  const std::string reason = d.value("reason", "");
  if (!reason.empty()) fmt::print("reason:   {}\n", reason);
  if (EngineGone(run))
    fmt::print("engine:   pid {} on {} is gone (resume with `gauntlet run --resume {}`)\n",
               run.engine_pid, run.engine_host, d["id"].get<int64_t>());
  if (const std::string commit = git.value("commit", ""); !commit.empty()) {
    fmt::print("commit:   {} ({})\n", commit, git.value("branch", ""));
    const std::string name = git.value("author_name", ""), email = git.value("author_email", "");
    if (!name.empty() || !email.empty()) fmt::print("author:   {} <{}>\n", name, email);
    if (const std::string subject = git.value("subject", ""); !subject.empty())
      fmt::print("subject:  {}\n", subject);
    for (const json& t : git["trailers"])
      fmt::print("trailer:  {}: {}\n", t["key"].get<std::string>(), t["value"].get<std::string>());
  }
  fmt::print("started:  {}\n", LocalTime(d["started_ms"].get<int64_t>()));
  fmt::print("duration: {}{}\n", HumanDuration(d["duration_ms"].get<int64_t>()),
             d["finished_ms"].get<int64_t>() > 0 ? "" : " (so far)");
  if (std::string t = TestsSummary(metrics); !t.empty()) fmt::print("tests:    {}\n", t);
  if (std::string c = CoverageSummary(metrics); !c.empty()) fmt::print("coverage: {}\n", c);
  for (const auto& [k, v] : metrics) fmt::print("metric:   {} = {}\n", k, v);
  const json& jobs = d["jobs"];
  if (jobs.empty()) {
    fmt::print("\nno jobs recorded\n");
    return;
  }
  size_t nw = 3;
  for (const json& j : jobs) nw = std::max(nw, j["name"].get<std::string>().size());
  fmt::print("\n{:<{}}  {:<9}  {:>8}  {:>8}  {:<20}  {}\n", "JOB", nw, "STATUS", "ATTEMPTS",
             "DURATION", "LAST EXIT", "REASON");
  for (const json& j : jobs) {
    const json& as = j["attempts"];
    const std::string exit = as.empty() ? "-" : ExitOfJson(as.back());
    const std::string dur = j["started_ms"].get<int64_t>() > 0
                                ? HumanDuration(j["duration_ms"].get<int64_t>())
                                : "-";
    std::string line = fmt::format("{:<{}}  {:<9}  {:>8}  {:>8}  {:<20}  {}",
                                   j["name"].get<std::string>(), nw, j["status"].get<std::string>(),
                                   as.size(), dur, exit,
                                   j.value("reason", ""));
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
  for (const json& j : jobs)
    for (const json& w : j["report_warnings"])
      fmt::print("warning: job '{}': {}\n", j["name"].get<std::string>(), w.get<std::string>());
}

// The run RUN (default: the newest) as `status --json` shows it, from the local store.
int DetailHere(const StatusArgs& args, json* out) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto found = ResolveRun(*h->store, args.run, &code);
  if (!found) return code;
  auto detail = engine::ReadRunDetail(*h->store, *found);
  if (!detail.ok()) return Fail(detail.error());
  *out = engine::RunDetailJson(*detail, RealClock().UnixMs());
  return kExitOk;
}

// The same from the server: GET /api/v1/runs/ID (the newest: the first of /api/v1/runs).
int DetailFromServer(const StatusArgs& args, json* out) {
  const std::string repo = args.server.repo.empty() ? "" : "repo=" + QueryValue(args.server.repo);
  std::string id = args.run;
  if (id.empty()) {
    auto list = GetFromServer(args.server, "/api/v1/runs?limit=1" + (repo.empty() ? "" : "&" + repo));
    if (!list.ok()) return Fail(list.error());
    if (list->status != 200) return ServerRefused(*list);
    const json runs = list->body.value("runs", json::array());
    if (runs.empty()) {
      fmt::print(stderr, "gauntlet: no runs recorded on the server\n");
      return kExitNotFound;
    }
    id = std::to_string(runs[0]["id"].get<int64_t>());
  } else if (id.find_first_not_of("0123456789") != std::string::npos) {
    fmt::print(stderr, "gauntlet: '{}' is not a run id\n", id);
    return kExitInvalid;
  }
  auto answer = GetFromServer(args.server, "/api/v1/runs/" + id + (repo.empty() ? "" : "?" + repo));
  if (!answer.ok()) return Fail(answer.error());
  if (answer->status != 200) return ServerRefused(*answer);
  *out = std::move(answer->body);
  out->erase("repo");  // the server says which repository; the local view has no such field
  return kExitOk;
}

int RunStatusCommand(const StatusArgs& args, const GlobalOptions& global) {
  json detail;
  const int code = args.server.Url().empty() ? DetailHere(args, &detail)
                                             : DetailFromServer(args, &detail);
  if (code != kExitOk) return code;
  if (global.json) {
    fmt::print("{}\n", detail.dump(2));
    return kExitOk;
  }
  PrintStatus(detail);
  return kExitOk;
}

}  // namespace

void RegisterStatus(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show one run: its context and its jobs");
  cmd->footer(
      "Shows a run (RUN: a run id; default: the latest run): pipeline, status and why,\n"
      "its title (a workflow's run-name, a pipeline's run_name; \"title\" in --json),\n"
      "the git commit, branch, author and trailers it ran on, and its duration; then\n"
      "every job with its status, attempts, duration, how its last attempt ended (exit\n"
      "code, signal, timeout) and why. --json adds every attempt's wall time, user and\n"
      "system CPU and peak RSS, and the jobs' outputs (secrets already masked).\n"
      "A run whose jobs have `reports:` shows its test counts and coverage (tests:,\n"
      "coverage:) and any problem reading a report file (warning:).\n"
      "With --server URL (or $GAUNTLET_SERVER) the run is read from a running gauntlet\n"
      "serve (a read token: --token-file, or $GAUNTLET_TOKEN), with the same output.\n"
      "Exit codes: 0 shown, 2 usage error, 3 no such run or no history, 4 internal error\n"
      "(with --server: 1 refused, e.g. 401 without a token).\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  AddServerFlags(cmd, &args->server);
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunStatusCommand(*args, global); };
}

}  // namespace gauntlet::cli
