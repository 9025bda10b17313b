// `gauntlet logs [RUN] [JOB] [-f]`: the output of a run's jobs, read (and followed
// live while the run is going) through engine::ReadRunLog.
#include <fmt/core.h>

#include <cstdio>
#include <map>
#include <optional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/line_printer.h"
#include "cli/server_client.h"
#include "engine/log_follow.h"

namespace gauntlet::cli {
namespace {

struct LogsArgs {
  std::string run, job, state_dir;
  bool follow = false;
  int attempt = 0;  // 0: every attempt
  ServerFlags server;
};

// Which jobs of the run to show, by index -> name.
struct Selection {
  std::map<uint32_t, std::string> names;  // every job of the run
  std::set<uint32_t> wanted;              // empty: all
  bool prefix = true;
};

// GET /api/v1/runs/ID/log (the run named, else the repository's newest): the chunks as
// `logs --json` prints them, or followed as server-sent events with -f.
int LogsFromServer(const LogsArgs& args, const GlobalOptions& global) {
  const std::string repo = args.server.repo.empty() ? "" : "&repo=" + QueryValue(args.server.repo);
  std::string id = args.run;
  if (id.empty() || id == "latest") {
    auto list = GetFromServer(args.server, "/api/v1/runs?limit=1" + repo);
    if (!list.ok()) return Fail(list.error());
    if (list->status != 200) return ServerRefused(*list);
    const nlohmann::json runs = list->body.value("runs", nlohmann::json::array());
    if (runs.empty()) return Fail(Error::NotFound("no runs recorded on the server"));
    id = std::to_string(runs[0].value("id", int64_t{0}));
  }
  std::string path = "/api/v1/runs/" + id + "/log?format=json" + repo;
  if (!args.job.empty()) path += "&job=" + QueryValue(args.job);
  if (args.attempt) path += "&attempt=" + std::to_string(args.attempt);
  // As here: no prefix when JOB names exactly one job (every chunk is of that name).
  std::optional<LinePrinter> printer;
  auto add = [&](const std::string& job, const std::string& text) {
    if (!printer) printer.emplace(args.job.empty() || job != args.job);
    printer->Add(job, text);
  };
  if (args.follow) {
    std::string error;
    ServerAnswer refused;
    Status read = FollowServerEvents(
        args.server, path + "&follow=1",
        [&](const std::string& type, const nlohmann::json& data) {
          if (type == "log") {
            add(data.value("job", ""), data.value("text", ""));
            fflush(stdout);
          } else if (type == "error") {
            error = data.value("error", "the server could not read the log");
          }
          return type != "end" && type != "error";
        },
        &refused);
    if (printer) printer->Finish();
    if (!read.ok()) return refused.status ? ServerRefused(refused) : Fail(read.error());
    if (!error.empty()) return Fail(Error{error});
    return kExitOk;
  }
  auto answer = GetFromServer(args.server, path);
  if (!answer.ok()) return Fail(answer.error());
  if (answer->status != 200) return ServerRefused(*answer);
  const nlohmann::json chunks = answer->body.value("chunks", nlohmann::json::array());
  if (global.json) {
    fmt::print("{}\n", chunks.dump(2));
    return kExitOk;
  }
  for (const nlohmann::json& c : chunks) add(c.value("job", ""), c.value("text", ""));
  if (printer) printer->Finish();
  return kExitOk;
}

int RunLogs(LogsArgs args, const GlobalOptions& global) {
  // `gauntlet logs unit`: a lone argument that is not a run id names a job of the
  // latest run.
  if (args.job.empty() && !args.run.empty() && args.run != "latest" && !ParseRunId(args.run)) {
    args.job = std::move(args.run);
    args.run.clear();
  }
  if (args.follow && global.json) {
    fmt::print(stderr, "gauntlet: --json cannot be combined with -f\n");
    return kExitInvalid;
  }
  if (!args.server.Url().empty()) return LogsFromServer(args, global);
  int code = kExitOk;
  auto opened = OpenRunWithJobs(args.state_dir, args.run, &code);
  if (!opened) return code;
  History* h = &opened->history;
  const store::RunRecord* run = &opened->run;
  const std::vector<store::JobRecord>* jobs = &opened->jobs;
  Selection sel;
  for (const auto& j : *jobs) sel.names[j.index] = j.name;
  if (!args.job.empty()) {
    for (const auto& j : *jobs) {
      if (j.name == args.job) {
        sel.wanted = {static_cast<uint32_t>(j.index)};
        sel.prefix = false;
        break;
      }
      // A spec job name selects every matrix job expanded from it: "unit (python=3.12)".
      if (j.name.size() > args.job.size() + 1 && j.name.starts_with(args.job + " ("))
        sel.wanted.insert(j.index);
    }
    if (sel.wanted.empty()) {
      std::string known;
      for (const auto& j : *jobs) known += (known.empty() ? "" : ", ") + j.name;
      fmt::print(stderr, "gauntlet: run {} has no job '{}' (jobs: {})\n", run->id, args.job,
                 known.empty() ? "none" : known);
      return kExitNotFound;
    }
  }
  auto name_of = [&](uint32_t index) {
    auto it = sel.names.find(index);
    return it != sel.names.end() ? it->second : fmt::format("#{}", index);
  };
  auto shown = [&](const store::LogChunk& c) {
    return (sel.wanted.empty() || sel.wanted.count(c.job)) &&
           (args.attempt == 0 || c.attempt == args.attempt);
  };

  nlohmann::json json_chunks = nlohmann::json::array();
  LinePrinter printer(sel.prefix);
  auto on_chunk = [&](const store::LogChunk& c) {
    if (!shown(c)) return;
    std::string job = name_of(c.job);
    if (!global.json) {
      printer.Add(job, c.data);
    } else if (!json_chunks.empty() && json_chunks.back()["job"] == job &&
               json_chunks.back()["attempt"] == c.attempt) {
      // Adjacent frames of one attempt are one chunk in the answer.
      json_chunks.back()["text"] = json_chunks.back()["text"].get<std::string>() + c.data;
    } else {
      json_chunks.push_back({{"job", job}, {"attempt", c.attempt}, {"text", c.data}});
    }
  };
  engine::LogReadOptions options;
  options.follow = args.follow;
  options.on_batch = [] { fflush(stdout); };
  Status read = engine::ReadRunLog(*h->store, h->ws, run->id, options, on_chunk);
  printer.Finish();
  if (!read.ok()) return Fail(read.error());
  if (global.json) fmt::print("{}\n", json_chunks.dump(2));
  return kExitOk;
}

}  // namespace

void RegisterLogs(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<LogsArgs>();
  CLI::App* cmd = app.add_subcommand("logs", "Print (or follow) the output of a run's jobs");
  cmd->footer(
      "Prints the output of a run (RUN: a run id; default: the latest run). With JOB (a\n"
      "job name such as 'unit (python=3.12)'), only that job's output, as it was written;\n"
      "a spec job name with several matrix jobs ('unit') prints each of them, every line\n"
      "prefixed by its job's name. Without JOB, every job's output in the order it was\n"
      "written, each line prefixed '[job] '. --attempt N keeps one attempt of retried\n"
      "jobs. -f follows a live run from another terminal until it finishes (or its engine\n"
      "dies). --json prints an array of {job, attempt, text} chunks (not with -f).\n"
      "A lone argument that is not a run id is a JOB of the latest run.\n"
      "--server URL (or $GAUNTLET_SERVER): the log of a run of a repository a gauntlet serve\n"
      "watches (--repo NAME), with a read token (--token-file, or $GAUNTLET_TOKEN); the same\n"
      "output, and -f follows it live over server-sent events (docs/server.md).\n"
      "Exit codes: 0 printed, 1 refused by the server, 2 usage error, 3 no such run or job,\n"
      "4 internal error or the server cannot be reached.\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("JOB", args->job, "Job name, or spec job name for all its matrix jobs");
  cmd->add_flag("-f,--follow", args->follow, "Follow a live run until it finishes");
  cmd->add_option("--attempt", args->attempt, "Only this attempt (1, 2, ...)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunLogs(*args, global); };
}

}  // namespace gauntlet::cli
