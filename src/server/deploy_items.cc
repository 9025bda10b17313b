// A queue item of the event `deployment`: promote, abort or rollback of a deployment,
// asked through the API (http_deploy.cc) and driven here, in the repository's turn, through
// the engine as `gauntlet promote|abort|rollback` drive it (engine/deployment.h). Its
// progress lines and its end are `deployment` events on GET /api/v1/events.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "engine/deployment.h"
#include "engine/notify.h"
#include "engine/pipeline.h"
#include "engine/secrets.h"
#include "server/server.h"
#include "store/open.h"
#include "vcs/checkout.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

struct Asked {
  int64_t deployment = 0;
  std::string environment, action, to, by;
  engine::DeployAction kind = engine::DeployAction::kPromote;
};

Result<Asked> ReadAsked(const std::string& payload) {
  json p = json::parse(payload, nullptr, false);
  if (!p.is_object() || !p.contains("deployment") || !p["deployment"].is_number_integer())
    return Error::Invalid("the item does not name a deployment");
  Asked a;
  a.deployment = p["deployment"].get<int64_t>();
  a.environment = p.value("environment", "");
  a.action = p.value("action", "");
  a.to = p.value("to", "");
  a.by = p.value("by", "");
  if (a.action == "promote") {
    a.kind = engine::DeployAction::kPromote;
  } else if (a.action == "abort") {
    a.kind = engine::DeployAction::kAbort;
  } else if (a.action == "rollback") {
    a.kind = engine::DeployAction::kRollback;
  } else {
    return Error::Invalid("unknown deployment action '" + a.action + "'");
  }
  return a;
}

}  // namespace

void Server::ProcessDeployment(const QueueItem& item, const WatchedRepo& repo,
                               engine::Workspace ws) {
  auto asked = ReadAsked(item.payload);
  if (!asked.ok()) return Finish(item, "error", asked.error().message);
  const Asked& a = *asked;
  const json about = {{"queue", item.id},         {"repo", item.repo},
                      {"pipeline", item.pipeline}, {"run_id", 0},
                      {"action", a.action},        {"requested_for", a.deployment}};
  auto publish = [&](json data) {
    data.update(about);
    data["at_ms"] = NowMs();
    events_.Publish("deployment", std::move(data));
  };
  // The state may have changed while the item waited for its turn.
  {
    auto st = store::OpenStore(ws.store_url());
    if (!st.ok()) return Finish(item, "error", st.error().message);
    auto d = (*st)->GetDeployment(a.deployment);
    if (!d.ok()) return Finish(item, "error", d.error().message);
    if (!*d) return Finish(item, "error", fmt::format("no deployment {}", a.deployment));
    if (Status s = engine::CheckDeploymentAction(**st, **d, a.kind); !s.ok())
      return Finish(item, "error", s.error().message);
  }
  auto checkout = vcs::CheckoutAt(repo.local(), ws.root, item.commit, "");
  if (!checkout.ok()) return Finish(item, "error", checkout.error().message);
  engine::LoadedPipeline loaded = engine::LoadPipeline(ws.root + "/" + item.pipeline, ws.root);
  if (!loaded.ok())
    return Finish(item, "error", "the pipeline file " + item.pipeline + " at " +
                                     item.commit.substr(0, 12) + " does not load");
  auto env = engine::FindEnvironment(loaded, a.environment);
  if (!env.ok()) return Finish(item, "error", env.error().message);
  auto secrets = engine::CollectSecrets(loaded.pipeline(), config_.secrets_file);
  if (!secrets.ok()) return Finish(item, "error", secrets.error().message);
  engine::DeploymentRequest req;
  req.environment = *env;
  req.workspace = ws;
  req.action = a.kind;
  req.rollback_to = a.to;
  req.trigger = "rollback through the API (token " + a.by + ")";
  req.secrets = *secrets;
  req.print = [&](const std::string& line) { publish({{"what", "step"}, {"detail", line}}); };
  Say(&item, a.action + " started", fmt::format("deployment {} of {}", a.deployment, a.environment));
  std::unique_ptr<engine::DeploymentHandle> handle = engine::StartDeployment(std::move(req));
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_[item.repo].deployment = handle.get();
    if (stopping_) handle->Cancel();  // before promotion it rolls back, as on Ctrl-C
  }
  const engine::DeploymentOutcome& out = handle->Wait();
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_[item.repo].deployment = nullptr;
  }
  if (!out.record.ok()) {
    publish({{"what", "finished"}, {"deployment", a.deployment}, {"status", "refused"},
             {"reason", out.record.error().message}});
    return Finish(item, "error", out.record.error().message);
  }
  const store::DeploymentRecord& d = *out.record;
  publish({{"what", "finished"}, {"deployment", d.id}, {"status", d.state}, {"reason", d.reason}});
  if (notifier_ && !loaded.pipeline().notify.empty()) {
    // The deployment's own page: an action of the API belongs to no run.
    engine::NotifyLinks links{RunUrl(repo), repo.name};
    if (size_t at = links.run_url.find("runs/{run}"); at != std::string::npos)
      links.run_url.replace(at, 10, "deployments/" + std::to_string(d.id));
    json env = json::object();
    for (const auto& [k, v] : loaded.pipeline().env) env[k] = v;
    notifier_->Send(ws.store_url(), loaded.pipeline().notify,
                    engine::DeploymentNotification(d, store::RunRecord{}, loaded.pipeline().name,
                                                   links, NowMs()),
                    *secrets, {{"env", env}, {"branch", ""}, {"event", json::object()}});
  }
  Finish(item, "done",
         fmt::format("deployment {} {}{}", d.id, d.state, d.reason.empty() ? "" : ": " + d.reason));
}

}  // namespace gauntlet::server
