// POST /api/v1/deployments/ID/promote|abort|rollback: a person's decision on a deployment
// of a watched repository, as `gauntlet promote|abort|rollback` make it locally. The call
// is checked against the deployment's state now (404, 409 with the reason), then queued
// (durable before the 202) and driven by a worker in the repository's turn
// (deploy_items.cc): the environment's commands run in a workspace at the deployment's
// commit, which no run of the repository moves meanwhile.
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/deployment.h"
#include "server/server.h"
#include "store/open.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

// The run a deploy stage's deployment was started by ("run 12, stage ship"); 0 if none.
int64_t RunOfTrigger(const std::string& trigger) {
  const std::string prefix = "run ";
  if (trigger.rfind(prefix, 0) != 0) return 0;
  size_t end = trigger.find(',', prefix.size());
  if (end == std::string::npos) return 0;
  const std::string digits = trigger.substr(prefix.size(), end - prefix.size());
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(digits);
}

}  // namespace

void Server::InstallDeployRoutes() {
  http_->Post(R"(/api/v1/deployments/(\d{1,18})/(promote|abort|rollback))",
              [this](const httplib::Request& req, httplib::Response& res) {
                std::string token;
                if (Allowed(*db_, req, res, Scope::kDeploy, &token))
                  DeploymentActionRoute(req, res, token);
              });
}

void Server::DeploymentActionRoute(const httplib::Request& req, httplib::Response& res,
                                   const std::string& token) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  const std::string id = req.matches[1].str(), name = req.matches[2].str();
  const engine::DeployAction action = name == "promote" ? engine::DeployAction::kPromote
                                      : name == "abort" ? engine::DeployAction::kAbort
                                                        : engine::DeployAction::kRollback;
  json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return Refuse(res, 400, "the body must be a JSON object (or empty)");
  std::string to;
  if (body.contains("to")) {
    if (action != engine::DeployAction::kRollback)
      return Refuse(res, 400, "\"to\" is for rollback only");
    if (!body["to"].is_string() || body["to"].get<std::string>().empty())
      return Refuse(res, 400, "\"to\" must be a version (a non-empty string)");
    to = body["to"].get<std::string>();
  }
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "to") return Refuse(res, 400, "unknown key '" + it.key() + "' (known: to)");
  const engine::Workspace ws = RepoWorkspace(config_, *repo);
  std::error_code ec;
  if (!std::filesystem::exists(ws.db_path(), ec))
    return Refuse(res, 404, "no deployment " + id + " in " + repo->name);
  auto store = store::OpenStore(ws.store_url());
  if (!store.ok()) return Refuse(res, 503, store.error().message);
  auto d = (*store)->GetDeployment(std::stoll(id));
  if (!d.ok()) return Refuse(res, 503, d.error().message);
  if (!*d) return Refuse(res, 404, "no deployment " + id + " in " + repo->name);
  if (Status s = engine::CheckDeploymentAction(**store, **d, action); !s.ok())
    return Refuse(res, s.error().kind == ErrorKind::kConflict ? 409 : 503, s.error().message);
  if ((*d)->git_commit.empty())
    return Refuse(res, 409, "deployment " + id +
                                " has no recorded commit: its environment cannot be read from the "
                                "repository");
  // The environment is read from the pipeline file of the run that made the deployment
  // (its deploy stage), at the deployment's commit; else from the server's --pipeline.
  QueueItem item;
  item.repo = repo->name;
  item.event = kDeploymentEvent;
  item.commit = (*d)->git_commit;
  item.pipeline = config_.pipeline;
  if (int64_t run_id = RunOfTrigger((*d)->trigger)) {
    auto run = (*store)->GetRun(run_id);
    if (run.ok() && *run) {
      std::string file =
          std::filesystem::path((*run)->file).lexically_relative(ws.root).generic_string();
      if (!file.empty() && !file.starts_with("..")) item.pipeline = file;
    }
  }
  item.payload = json{{"deployment", (*d)->id},
                      {"environment", (*d)->environment},
                      {"action", name},
                      {"to", to},
                      {"by", token}}
                     .dump();
  auto queued = db_->Enqueue(item, "api", NowMs());
  if (!queued.ok() || !*queued)
    return Refuse(res, 503, queued.ok() ? "not queued" : queued.error().message);
  item.id = **queued;
  Say(&item, "queued", name + " of deployment " + id + " (" + (*d)->environment + ")");
  Wake();
  Reply(res, 202, {{"queued", **queued},
                   {"deployment", (*d)->id},
                   {"action", name},
                   {"repo", repo->name},
                   {"environment", (*d)->environment},
                   {"commit", item.commit},
                   {"pipeline", item.pipeline}});
}

}  // namespace gauntlet::server
