#include "cli/deploy_remote.h"

#include <fmt/core.h>

#include <cstdio>

#include "cli/cli.h"

namespace gauntlet::cli {
namespace {

int SayRefused(const std::string& message, bool json, int code) {
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"error", message}}.dump(2));
  } else {
    fmt::print(stderr, "gauntlet: {}\n", message);
  }
  return code;
}

// The deployment the action is about: the environment's newest one (an active deployment
// holds its environment's lock, so it is the newest), or for a rollback its newest
// succeeded one (the current release). 0 with `*code` set when there is none.
int64_t DeploymentToActOn(const ServerFlags& server, const std::string& environment,
               const std::string& action, bool json, int* code) {
  std::string path = "/api/v1/deployments?environment=" + QueryValue(environment) + "&limit=" +
                     (action == "rollback" ? "1000" : "1");
  if (!server.repo.empty()) path += "&repo=" + QueryValue(server.repo);
  auto answer = GetFromServer(server, path);
  if (!answer.ok()) {
    *code = Fail(answer.error());
    return 0;
  }
  if (answer->status != 200) {
    *code = ServerRefused(*answer);
    return 0;
  }
  for (const nlohmann::json& d : answer->body.value("deployments", nlohmann::json::array()))
    if (action != "rollback" || d.value("state", "") == "succeeded") return d.value("id", int64_t{0});
  *code = SayRefused(action == "rollback"
                     ? "environment '" + environment +
                           "' has no successful release to roll back from on the server"
                     : "environment '" + environment + "' has no deployment to " + action +
                           " on the server",
                 json, kExitFailed);
  return 0;
}

}  // namespace

int DriveOnServer(const ServerFlags& server, const std::string& environment,
                  const std::string& action, const nlohmann::json& body, DeployExit exit,
                  const GlobalOptions& global) {
  int code = kExitOk;
  const int64_t id = DeploymentToActOn(server, environment, action, global.json, &code);
  if (id == 0) return code;
  const std::string repo = server.repo.empty() ? "" : "?repo=" + QueryValue(server.repo);
  auto asked = AskServer(server, "POST",
                         "/api/v1/deployments/" + std::to_string(id) + "/" + action + repo, body);
  if (!asked.ok()) return Fail(asked.error());
  if (asked->status != 202) return ServerRefused(*asked);
  const int64_t queued = asked->body.value("queued", int64_t{0});
  // The action's progress lines, as the local command prints them, until its end (the
  // kept events are replayed: none is missed between the POST and the stream).
  FILE* out = global.json ? stderr : stdout;
  int64_t ended = 0;
  std::string error;
  ServerAnswer refused;
  Status followed = FollowServerEvents(
      server, "/api/v1/events?after=0",
      [&](const std::string& type, const nlohmann::json& data) {
        if (data.value("queue", int64_t{0}) != queued) return true;
        const std::string what = data.value("what", "");
        if (type == "deployment" && what == "step") {
          fmt::print(out, "{}\n", data.value("detail", ""));
          fflush(out);
        } else if (type == "deployment" && what == "finished") {
          ended = data.value("deployment", int64_t{0});
          if (data.value("status", "") == "refused") error = data.value("reason", "");
          return false;
        } else if (type == "queue" && (what == "error" || what == "cancelled")) {
          error = data.value("detail", what);
          return false;
        }
        return true;
      },
      &refused);
  if (!followed.ok()) return refused.status ? ServerRefused(refused) : Fail(followed.error());
  if (!error.empty()) return SayRefused(error, global.json, kExitFailed);
  auto d = GetFromServer(server, "/api/v1/deployments/" + std::to_string(ended) + repo);
  if (!d.ok()) return Fail(d.error());
  if (d->status != 200) return ServerRefused(*d);
  d->body.erase("repo");  // the server says which repository; the local view has no such field
  if (global.json) fmt::print("{}\n", d->body.dump(2));
  return d->body.value("state", "") == std::string(exit.success_state) ? kExitOk : kExitFailed;
}

}  // namespace gauntlet::cli
