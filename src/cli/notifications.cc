// `gauntlet notifications [--run ID]`: every delivery of a run's or a deployment's end to
// the pipeline's `notify:` URLs (engine/notify.h), newest first, with each attempt.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/server_client.h"
#include "engine/notify.h"

namespace gauntlet::cli {
namespace {

struct NotificationsArgs {
  std::string state_dir;
  int64_t run = 0;
  int limit = 50;
  ServerFlags server;
};

int NotificationsHere(const NotificationsArgs& args, nlohmann::json* out) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  store::NotificationFilter f;
  f.run_id = args.run;
  f.limit = args.limit;
  auto list = h->store->ListNotifications(f);
  if (!list.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", list.error().message);
    return kExitInternal;
  }
  *out = nlohmann::json::array();
  for (const store::NotificationRecord& r : *list) out->push_back(engine::NotificationJson(r));
  return kExitOk;
}

// GET /api/v1/notifications with the same filters.
int NotificationsFromServer(const NotificationsArgs& args, nlohmann::json* out) {
  std::string path = "/api/v1/notifications?limit=" + std::to_string(args.limit);
  if (args.run) path += "&run=" + std::to_string(args.run);
  if (!args.server.repo.empty()) path += "&repo=" + QueryValue(args.server.repo);
  auto answer = GetFromServer(args.server, path);
  if (!answer.ok()) return Fail(answer.error());
  if (answer->status != 200) return ServerRefused(*answer);
  *out = answer->body.value("notifications", nlohmann::json::array());
  return kExitOk;
}

void PrintNotifications(const nlohmann::json& list) {
  for (const nlohmann::json& n : list) {
    const int64_t deployment = n.value("deployment_id", int64_t{0});
    fmt::print("#{} {} {} of run {}{}  {}\n", n.value("id", int64_t{0}),
               n.value("state", std::string()), n.value("event", std::string()),
               n.value("run_id", int64_t{0}),
               deployment ? fmt::format(", deployment {}", deployment) : "",
               LocalTime(n.value("created_ms", int64_t{0})));
    fmt::print("    {}\n", n.value("url", std::string()));
    for (const nlohmann::json& t : n.value("tries", nlohmann::json::array())) {
      const int status = t.value("status_code", 0);
      const std::string error = t.value("error", std::string());
      fmt::print("    attempt {}: {}{}  {}\n", t.value("number", 0),
                 status ? std::to_string(status) : "no answer",
                 error.empty() || error.rfind("HTTP ", 0) == 0 ? "" : " (" + error + ")",
                 HumanDuration(t.value("duration_ms", int64_t{0})));
    }
    const std::string error = n.value("error", std::string());
    if (n.value("state", std::string()) == "failed" && !error.empty())
      fmt::print("    failed: {}\n", error);
  }
}

int RunNotifications(const NotificationsArgs& args, const GlobalOptions& global) {
  nlohmann::json list;
  const int code = args.server.Url().empty() ? NotificationsHere(args, &list)
                                             : NotificationsFromServer(args, &list);
  if (code != kExitOk) return code;
  if (global.json) {
    fmt::print("{}\n", list.dump(2));
    return kExitOk;
  }
  if (list.empty()) {
    fmt::print("no notifications{}\n", args.run ? " of run " + std::to_string(args.run) : "");
    return kExitOk;
  }
  PrintNotifications(list);
  return kExitOk;
}

}  // namespace

void RegisterNotifications(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<NotificationsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "notifications", "Deliveries to the pipeline's notify: URLs, with every attempt");
  cmd->footer(
      "Lists, newest first, each delivery of a run's or a deployment's end to a notify:\n"
      "URL of the pipeline (docs/pipeline.md, Notifications): its state (pending,\n"
      "delivered, failed), the event (success, failure, cancelled, deployed, rolled_back,\n"
      "deploy_failed), the URL with secrets masked as ***, and each attempt's HTTP status\n"
      "or error and duration. --json adds the body that was sent.\n"
      "--server URL (or $GAUNTLET_SERVER): the deliveries of a repository a gauntlet serve\n"
      "watches (--repo NAME), with a read token (--token-file, or $GAUNTLET_TOKEN).\n"
      "Exit codes: 0 ok, 1 refused by the server, 3 no history here (or no such\n"
      "repository), 4 internal error or the server cannot be reached.\n");
  cmd->add_option("--run", args->run, "Only the deliveries of this run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-n,--limit", args->limit, "How many (default 50)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunNotifications(*args, global); };
}

}  // namespace gauntlet::cli
