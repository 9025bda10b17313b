// Routes over a repository's recorded history beyond its runs: deployments (what
// `gauntlet deployments --json` and `gauntlet deploy --json` print) and the gate's verdict
// of a run or a commit (what `gauntlet gate --json` prints), through the same JSON views.
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/diagnosis.h"
#include "engine/notify.h"
#include "engine/pipeline.h"
#include "engine/views_deploy.h"
#include "engine/views_gate.h"
#include "gate/assess.h"
#include "gate/run_diagnosis.h"
#include "server/server.h"
#include "store/open.h"
#include "vcs/checkout.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

// The repository's run store; null with the answer set when there is none (404: nothing
// ran there yet) or it cannot be opened (503).
std::unique_ptr<store::Store> OpenHistory(const engine::Workspace& ws, const WatchedRepo& repo,
                                          httplib::Response& res) {
  std::error_code ec;
  if (!std::filesystem::exists(ws.db_path(), ec)) {
    Refuse(res, 404, "nothing has run in " + repo.name + " yet");
    return nullptr;
  }
  auto store = store::OpenStore(ws.store_url());
  if (!store.ok()) {
    Refuse(res, 503, store.error().message);
    return nullptr;
  }
  return std::move(*store);
}

// A revision given in a query (a commit id, a branch, a tag): refused before git sees
// something that reads as an option or is absurdly long.
bool PlainRevision(const std::string& rev) {
  return !rev.empty() && rev.size() <= 250 && rev[0] != '-' &&
         rev.find_first_of(" \t\n\r\\:~^?*[") == std::string::npos;
}

// The newest run of `commit` in the store (any pipeline file), if any.
Result<std::optional<store::RunRecord>> NewestRunOf(store::Store& s, const std::string& commit) {
  store::RunFilter all;
  all.limit = 10000;
  auto runs = s.ListRuns(all);  // newest first
  if (!runs.ok()) return runs.error();
  for (const store::RunRecord& r : *runs)
    if (r.git_commit == commit) return std::optional<store::RunRecord>(r);
  return std::optional<store::RunRecord>();
}

}  // namespace

// Read from each repository's store when scraped: the counts survive a restart, and a
// deployment made by `gauntlet deploy` in the same state counts too. The newest
// kMetricsDeployments of each repository are counted.
Result<std::vector<DeploymentSample>> Server::DeploymentSamples() {
  constexpr int kMetricsDeployments = 100000;
  std::vector<DeploymentSample> out;
  for (const WatchedRepo& repo : config_.repos) {
    const engine::Workspace ws = RepoWorkspace(config_, repo);
    std::error_code ec;
    if (!std::filesystem::exists(ws.db_path(), ec)) continue;
    auto store = store::OpenStore(ws.store_url());
    if (!store.ok()) return store.error();
    auto list = (*store)->ListDeployments("", kMetricsDeployments);
    if (!list.ok()) return list.error();
    for (const store::DeploymentRecord& d : *list)
      out.push_back({repo.name, d.environment, d.state, d.strategy, d.id, d.weight, d.active()});
  }
  return out;
}

void Server::InstallHistoryRoutes() {
  httplib::Server& http = *http_;
  auto read = [this](void (Server::*route)(const httplib::Request&, httplib::Response&)) {
    return [this, route](const httplib::Request& req, httplib::Response& res) {
      if (config_.public_read || Allowed(*db_, req, res, Scope::kRead)) (this->*route)(req, res);
    };
  };
  http.Get("/api/v1/deployments", read(&Server::ListDeployments));
  http.Get(R"(/api/v1/deployments/(\d{1,18}))", read(&Server::DeploymentDetail));
  http.Get("/api/v1/gate", read(&Server::GateVerdict));
  http.Get("/api/v1/notifications", read(&Server::ListNotifications));
}

// GET /api/v1/notifications?repo=NAME&run=ID&limit=N: newest first, each with its
// attempts, as `gauntlet notifications --json` shows them (URLs masked).
void Server::ListNotifications(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  int limit = 0, run = 0;
  if (!IntParam(req, "limit", 50, 1000, &limit, res)) return;
  if (!IntParam(req, "run", 0, 2000000000, &run, res)) return;
  const engine::Workspace ws = RepoWorkspace(config_, *repo);
  std::error_code ec;
  json list = json::array();
  if (!std::filesystem::exists(ws.db_path(), ec))
    return Reply(res, 200, {{"repo", repo->name}, {"notifications", list}});
  auto store = OpenHistory(ws, *repo, res);
  if (!store) return;
  store::NotificationFilter f;
  f.run_id = run;
  f.limit = limit;
  auto found = store->ListNotifications(f);
  if (!found.ok()) return Refuse(res, 503, found.error().message);
  for (const store::NotificationRecord& r : *found) list.push_back(engine::NotificationJson(r));
  Reply(res, 200, {{"repo", repo->name}, {"notifications", list}});
}

// GET /api/v1/deployments?repo=NAME&environment=ENV&limit=N&verbose=1: newest first, each
// as `gauntlet deployments --json [--verbose]` shows it.
void Server::ListDeployments(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  int limit = 0;
  if (!IntParam(req, "limit", 10, 1000, &limit, res)) return;
  const std::string env = req.get_param_value("environment");
  if (env.size() > 100) return Refuse(res, 400, "environment is a name of at most 100 characters");
  const std::string verbose = req.get_param_value("verbose");
  if (verbose != "" && verbose != "0" && verbose != "1")
    return Refuse(res, 400, "verbose must be 0 or 1");
  const engine::Workspace ws = RepoWorkspace(config_, *repo);
  std::error_code ec;
  json list = json::array();
  if (!std::filesystem::exists(ws.db_path(), ec))
    return Reply(res, 200, {{"repo", repo->name}, {"deployments", list}});
  auto store = OpenHistory(ws, *repo, res);
  if (!store) return;
  auto found = store->ListDeployments(env, limit);
  if (!found.ok()) return Refuse(res, 503, found.error().message);
  for (const store::DeploymentRecord& d : *found) {
    auto events = store->GetDeploymentEvents(d.id);
    if (!events.ok()) return Refuse(res, 503, events.error().message);
    list.push_back(engine::DeploymentJson(d, *events, verbose == "1", NowMs()));
  }
  Reply(res, 200, {{"repo", repo->name}, {"deployments", list}});
}

// GET /api/v1/deployments/ID?repo=NAME: one deployment with every event, as
// `gauntlet deploy --json` prints it, plus "repo".
void Server::DeploymentDetail(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  const std::string id = req.matches[1].str();
  auto store = OpenHistory(RepoWorkspace(config_, *repo), *repo, res);
  if (!store) return;
  auto d = store->GetDeployment(std::stoll(id));
  if (!d.ok()) return Refuse(res, 503, d.error().message);
  if (!*d) return Refuse(res, 404, "no deployment " + id + " in " + repo->name);
  auto events = store->GetDeploymentEvents((*d)->id);
  if (!events.ok()) return Refuse(res, 503, events.error().message);
  json body = engine::DeploymentJson(**d, *events, true, NowMs());
  body["repo"] = repo->name;
  Reply(res, 200, body);
}

// GET /api/v1/gate?repo=NAME&run=ID | &commit=REV [&base=REV]: the gate's verdict of the
// run (or of the commit's newest run), judged with the `gates:` of the pipeline file at
// the run's commit, read from the repository (never from a workspace another run may be
// moving).
void Server::GateVerdict(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  const bool by_run = req.has_param("run"), by_commit = req.has_param("commit");
  if (by_run == by_commit) return Refuse(res, 400, "give one of run=ID or commit=REV");
  int run_id = 0;
  if (by_run && !IntParam(req, "run", 0, 2000000000, &run_id, res)) return;
  const std::string base = req.get_param_value("base");
  for (const std::string& rev : {by_commit ? req.get_param_value("commit") : "x", base.empty() ? "x" : base})
    if (!PlainRevision(rev)) return Refuse(res, 400, "'" + rev + "' is not a revision");
  const engine::Workspace ws = RepoWorkspace(config_, *repo);
  auto store = OpenHistory(ws, *repo, res);
  if (!store) return;
  Result<std::optional<store::RunRecord>> run = std::optional<store::RunRecord>();
  if (by_run) {
    run = store->GetRun(run_id);
  } else {
    auto commit = vcs::ResolveRevision(repo->local(), req.get_param_value("commit"));
    if (!commit.ok())
      return Refuse(res, 404, "no commit '" + req.get_param_value("commit") + "' in " + repo->name);
    run = NewestRunOf(*store, *commit);
  }
  if (!run.ok()) return Refuse(res, 503, run.error().message);
  if (!*run)
    return Refuse(res, 404, by_run ? "no run " + std::to_string(run_id) + " in " + repo->name
                                   : "no run of that commit in " + repo->name);
  const store::RunRecord& r = **run;
  // The run recorded its file's path in the workspace; the file is read at its commit.
  std::string file = std::filesystem::path(r.file).lexically_relative(ws.root).generic_string();
  if (file.empty() || file.starts_with("..")) file = config_.pipeline;
  auto text = vcs::ReadCommittedFile(repo->local(), r.git_commit, file);
  if (!text.ok()) return Refuse(res, 503, text.error().message);
  if (!text->found)
    return Refuse(res, 404, file + " is not in " + repo->name + " at " + r.git_commit.substr(0, 12));
  engine::LoadedPipeline loaded = engine::LoadPipelineText(text->content, ws.root + "/" + file);
  if (!loaded.ok())
    return Refuse(res, 422, "the pipeline file " + file + " at " + r.git_commit.substr(0, 12) +
                                " is invalid");
  gate::GateOptions opt;
  opt.repo_path = repo->local();
  opt.base_ref = base;
  opt.head_ref = r.git_commit;
  opt.run = r.id;
  opt.state_dir = ws.state_dir;
  opt.now_ms = NowMs();
  gate::AssessFailure failure;
  auto a = gate::Assess(*store, loaded.pipeline(), opt, &failure);
  if (!a.ok())
    return Refuse(res, failure == gate::AssessFailure::kInternal  ? 503
                       : failure == gate::AssessFailure::kInvalid ? 400
                                                                  : 404,
                  a.error().message);
  auto diagnoses = engine::DiagnoseVerdict(*store, *a, loaded, ws.logs_dir());
  if (!diagnoses.ok()) return Refuse(res, 503, diagnoses.error().message);
  json body = engine::VerdictJson(*a, *diagnoses);
  body["repo"] = repo->name;
  Reply(res, 200, body);
}

}  // namespace gauntlet::server
