// The server's routes: webhooks, the API and health. Every answer is JSON; errors are
// {"error": reason} with the status that says what to do about it (docs/server.md).
#include <httplib.h>

#include <charconv>
#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "engine/run_list.h"
#include "engine/views_run.h"
#include "server/crypto.h"
#include "server/http_mcp.h"
#include "server/pull_request.h"
#include "server/push.h"
#include "spec/load.h"
#include "spec/manual_inputs.h"
#include "server/server.h"
#include "store/open.h"
#include "vcs/checkout.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

json ItemJson(const QueueItem& q) {
  return {{"id", q.id},           {"repo", q.repo},           {"event", q.event},
          {"ref", q.ref},         {"commit", q.commit},       {"delivery", q.delivery},
          {"state", q.state},     {"reason", q.reason},       {"run_id", q.run_id},
          {"queued_ms", q.queued_ms}, {"started_ms", q.started_ms}, {"finished_ms", q.finished_ms},
          {"pipeline", q.pipeline}};
}

// Sets the item's commit and ref to what `ref` (a branch, a tag or a commit id) names now
// in the repository; false when nothing does.
bool ResolveRef(const WatchedRepo& repo, const std::string& ref, QueueItem* item) {
  if (ref == "HEAD") {  // the branch HEAD is on (a bare repository's default branch)
    auto head = vcs::ReadCommittedFile(repo.local(), "HEAD", ".");
    if (!head.ok()) return false;
    item->commit = head->commit;
    item->ref = head->branch.empty() ? "" : "refs/heads/" + head->branch;
    return true;
  }
  for (const std::string prefix : {"refs/heads/", "refs/tags/", ""}) {
    auto commit = vcs::ResolveRevision(repo.local(), prefix + ref);
    if (!commit.ok()) continue;
    item->commit = *commit;
    item->ref = prefix.empty() ? "" : prefix + ref;
    return true;
  }
  return false;
}

// A webhook's X-Hub-Signature-256, checked before anything of the body is read; false
// with the 401 answer set when it is missing or wrong, or when webhooks are off.
bool Signed(const std::string& secret, const httplib::Request& req, httplib::Response& res) {
  if (secret.empty()) {
    Refuse(res, 401, "webhooks are off: start the server with --webhook-secret-file");
    return false;
  }
  if (VerifyGithubSignature(secret, req.body, req.get_header_value("X-Hub-Signature-256")))
    return true;
  Refuse(res, 401, "bad or missing X-Hub-Signature-256");
  return false;
}

// GitLab's form of a webhook's secret: X-Gitlab-Token holds the secret itself. Compared
// as SHA-256 digests in constant time, so neither the secret's bytes nor its length show
// in the time taken; false with the 401 answer set.
bool TokenMatches(const std::string& secret, const httplib::Request& req, httplib::Response& res) {
  if (secret.empty()) {
    Refuse(res, 401, "webhooks are off: start the server with --webhook-secret-file");
    return false;
  }
  if (ConstantTimeEquals(Sha256Hex(req.get_header_value("X-Gitlab-Token")), Sha256Hex(secret)))
    return true;
  Refuse(res, 401, "bad X-Gitlab-Token");
  return false;
}

}  // namespace

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void Refuse(httplib::Response& res, int status, const std::string& reason) {
  Reply(res, status, {{"error", reason}});
}

bool Allowed(ServerDb& db, const httplib::Request& req, httplib::Response& res, Scope needed,
             std::string* token_name) {
  const std::string header = req.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (header.rfind(bearer, 0) != 0) {
    Refuse(res, 401, "this needs a token with scope " + std::string(ToString(needed)) +
                         ": Authorization: Bearer TOKEN (gauntlet token create)");
    return false;
  }
  auto token = db.Authenticate(header.substr(bearer.size()), NowMs());
  if (!token.ok()) {
    Refuse(res, 503, "the token store is unavailable: " + token.error().message);
    return false;
  }
  if (!*token) {
    Refuse(res, 401, "unknown or revoked token");
    return false;
  }
  if ((*token)->scope < needed) {
    Refuse(res, 403, "token '" + (*token)->name + "' has scope " + ToString((*token)->scope) +
                         "; this needs " + ToString(needed));
    return false;
  }
  if (token_name) *token_name = (*token)->name;
  return true;
}

const WatchedRepo* Server::NamedRepo(const std::string& name, httplib::Response& res) const {
  if (name.empty() && config_.repos.size() == 1) return &config_.repos[0];
  const WatchedRepo* repo = FindRepo(name);
  if (!repo) Refuse(res, 404, "no watched repository named '" + name + "'");
  return repo;
}

bool IntParam(const httplib::Request& req, const char* name, int fallback, int max, int* out,
              httplib::Response& res) {
  *out = fallback;
  if (!req.has_param(name)) return true;
  const std::string v = req.get_param_value(name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 1 || n > max) {
    Refuse(res, 400, std::string(name) + " must be an integer from 1 to " + std::to_string(max));
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}


void Server::InstallRoutes() {
  httplib::Server& http = *http_;
  http.set_payload_max_length(config_.max_body);
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 413 && (req.path.rfind("/hooks/", 0) == 0 || req.path.rfind("/api/v1/hooks/", 0) == 0))
      metrics_.Count(Delivery::kTooLarge);
    if (res.body.empty())
      Refuse(res, res.status,
             res.status == 413   ? "the request body is over the server's limit"
             : res.status == 404 ? "no such route"
                                 : "HTTP " + std::to_string(res.status));
  });
  // 429 before any work: per API token, or per remote address for webhooks and calls
  // without a token (a token is keyed by its hash: no plaintext kept).
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using Handled = httplib::Server::HandlerResponse;
    if (config_.rate_limit <= 0 || req.path == "/healthz") return Handled::Unhandled;
    const bool hook = req.path.rfind("/hooks/", 0) == 0 || req.path.rfind("/api/v1/hooks/", 0) == 0;
    const std::string auth = req.get_header_value("Authorization");
    const bool by_token = !hook && !auth.empty();
    const std::string key = by_token ? "token " + Sha256Hex(auth) : "address " + req.remote_addr;
    const int wait_s = limiter_.Take(key, std::chrono::steady_clock::now());
    if (wait_s == 0) return Handled::Unhandled;
    res.set_header("Retry-After", std::to_string(wait_s));
    Refuse(res, 429, "too many requests: at most " + std::to_string(config_.rate_limit) +
                         " a minute per " + (by_token ? "token" : "address") + "; retry in " +
                         std::to_string(wait_s) + " s");
    return Handled::Handled;
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"status", "ok"}});
  });
  http.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!config_.public_read && !Allowed(*db_, req, res, Scope::kRead)) return;
    auto queue = db_->CountQueue();
    if (!queue.ok()) return Refuse(res, 503, queue.error().message);
    auto deployments = DeploymentSamples();
    if (!deployments.ok()) return Refuse(res, 503, deployments.error().message);
    res.set_content(metrics_.Render(*queue, *deployments), "text/plain; version=0.0.4");
  });
  http.Post("/hooks/github", [this](const httplib::Request& req, httplib::Response& res) {
    GithubHook(req, res);
  });
  // The same hook under /hooks/, beside GitHub's: where a forge's webhook settings point.
  for (const char* path : {R"(/api/v1/hooks/generic/([A-Za-z0-9._-]{1,100}))",
                           R"(/hooks/generic/([A-Za-z0-9._-]{1,100}))"})
    http.Post(path,
              [this](const httplib::Request& req, httplib::Response& res) { GenericHook(req, res); });
  http.Post("/api/v1/runs", [this](const httplib::Request& req, httplib::Response& res) {
    if (Allowed(*db_, req, res, Scope::kTrigger)) Trigger(req, res);
  });
  http.Post("/api/v1/git/push", [this](const httplib::Request& req, httplib::Response& res) {
    if (Allowed(*db_, req, res, Scope::kTrigger)) GitPush(req, res);
  });
  http.Get("/api/v1/runs", [this](const httplib::Request& req, httplib::Response& res) {
    if (config_.public_read || Allowed(*db_, req, res, Scope::kRead)) ListRuns(req, res);
  });
  http.Get("/api/v1/queue", [this](const httplib::Request& req, httplib::Response& res) {
    if (!config_.public_read && !Allowed(*db_, req, res, Scope::kRead)) return;
    int limit = 0, wait_s = 0;
    if (!IntParam(req, "limit", 50, 1000, &limit, res)) return;
    if (!IntParam(req, "wait", 0, 60, &wait_s, res)) return;
    // A long poll on the whole queue: with the `epoch` of an earlier answer, answered once
    // any item has changed since (or after `wait` seconds).
    int64_t since = -1;
    if (req.has_param("changed_since")) {
      const std::string v = req.get_param_value("changed_since");
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), since);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size() || since < 0)
        return Refuse(res, 400, "changed_since must be the epoch of an earlier answer");
    }
    // The epoch is read before the items: a change in between makes the next poll return
    // at once, never hides a change.
    const int64_t epoch = WaitForQueueChange(since, std::chrono::seconds(wait_s));
    auto items = db_->ListQueue(limit);
    if (!items.ok()) return Refuse(res, 503, items.error().message);
    json list = json::array();
    for (const QueueItem& q : *items) list.push_back(ItemJson(q));
    Reply(res, 200, {{"items", list}, {"epoch", epoch}});
  });
  http.Get(R"(/api/v1/queue/(\d{1,18}))", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
    if (!config_.public_read && !Allowed(*db_, req, res, Scope::kRead)) return;
    int wait_s = 0;  // a long poll: answer when the item has ended, at most this late
    if (!IntParam(req, "wait", 0, 60, &wait_s, res)) return;
    auto item = WaitForItem(std::stoll(req.matches[1].str()), std::chrono::seconds(wait_s));
    if (!item.ok()) return Refuse(res, 503, item.error().message);
    if (!*item) return Refuse(res, 404, "no queue item " + req.matches[1].str());
    Reply(res, 200, ItemJson(**item));
  });
  http.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
    if (config_.public_read || Allowed(*db_, req, res, Scope::kRead)) Events(req, res);
  });
  InstallRunRoutes();
  InstallHistoryRoutes();
  InstallDeployRoutes();
  mcp_ = std::make_unique<McpEndpoint>(config_, *db_);
  mcp_->Install(http);
}

// GitHub's push webhook: signature first (nothing is read from an unsigned body), then
// the delivery id (a replay queues nothing), then the payload.
void Server::GithubHook(const httplib::Request& req, httplib::Response& res) {
  auto refuse = [&](Delivery d, int status, const std::string& reason) {
    metrics_.Count(d);
    Refuse(res, status, reason);
  };
  if (!Signed(config_.webhook_secret, req, res)) return metrics_.Count(Delivery::kUnauthorized);
  const std::string delivery = req.get_header_value("X-GitHub-Delivery");
  const std::string event = req.get_header_value("X-GitHub-Event");
  if (delivery.empty() || delivery.size() > 200 || event.empty())
    return refuse(Delivery::kMalformed, 400, "X-GitHub-Delivery and X-GitHub-Event are required");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return refuse(Delivery::kMalformed, 400, "the body is not a JSON object");
  // What starts nothing is acknowledged once (a replay is a duplicate), with the reason.
  auto acknowledge = [&](const std::string& why) {
    auto fresh = db_->RecordDelivery(delivery, "github", event, NowMs());
    if (!fresh.ok()) return Refuse(res, 503, fresh.error().message);
    metrics_.Count(*fresh ? Delivery::kAcknowledged : Delivery::kDuplicate);
    Reply(res, *fresh ? 202 : 200, {{"queued", nullptr}, {"duplicate", !*fresh}, {"reason", why}});
  };
  QueueItem item;
  if (event == "push") {
    auto push = ParseGithubPush(body);
    if (!push.ok()) return refuse(Delivery::kMalformed, 400, push.error().message);
    item.repo = push->repository;
    item.ref = push->ref;
    item.commit = push->after;
  } else if (event == "pull_request") {
    auto pr = ParseGithubPullRequest(body);
    if (!pr.ok()) return refuse(Delivery::kMalformed, 400, pr.error().message);
    // Every action is queued: each pipeline file's `on.pull_request.types` decides.
    item.repo = pr->repository;
    item.ref = "refs/heads/" + pr->head_ref;  // the run sees the pull request's branch
    item.commit = pr->head_sha;
  } else {
    return acknowledge(event == "ping" ? "pong"
                                       : "event '" + event +
                                             "' starts nothing (push and pull_request do)");
  }
  if (!FindRepo(item.repo))
    return refuse(Delivery::kUnknownRepo, 404, "no watched repository named '" + item.repo + "'");
  item.event = event;
  item.payload = req.body;
  item.delivery = delivery;
  auto id = db_->Enqueue(item, "github", NowMs());
  if (!id.ok()) return Refuse(res, 503, id.error().message);
  metrics_.Count(*id ? Delivery::kQueued : Delivery::kDuplicate);
  if (!*id) return Reply(res, 200, {{"queued", nullptr}, {"duplicate", true}});
  item.id = **id;
  Say(&item, "queued", "github " + event);
  Wake();
  Reply(res, 202, {{"queued", **id}, {"duplicate", false}});
}

// POST /api/v1/hooks/generic/NAME?repo=R&ref=REF (or /hooks/generic/NAME): any JSON
// object, signed as GitHub signs (X-Hub-Signature-256) or carrying the secret itself as
// GitLab sends it (X-Gitlab-Token), checked first and in constant time, with a delivery id
// (X-Gauntlet-Delivery, or GitLab's Idempotency-Key or X-Gitlab-Event-UUID: a replay
// queues nothing). The body becomes the run's `event.payload`, data that reaches commands
// only as environment variables.
void Server::GenericHook(const httplib::Request& req, httplib::Response& res) {
  auto refuse = [&](Delivery d, int status, const std::string& reason) {
    metrics_.Count(d);
    Refuse(res, status, reason);
  };
  const bool gitlab = !req.has_header("X-Hub-Signature-256") && req.has_header("X-Gitlab-Token");
  if (gitlab ? !TokenMatches(config_.webhook_secret, req, res)
             : !Signed(config_.webhook_secret, req, res))
    return metrics_.Count(Delivery::kUnauthorized);
  std::string delivery = req.get_header_value("X-Gauntlet-Delivery");
  for (const char* header : {"Idempotency-Key", "X-Gitlab-Event-UUID"})
    if (gitlab && delivery.empty()) delivery = req.get_header_value(header);
  if (delivery.empty() || delivery.size() > 200)
    return refuse(Delivery::kMalformed, 400,
                  gitlab ? "a delivery id is required: X-Gauntlet-Delivery, Idempotency-Key or "
                           "X-Gitlab-Event-UUID"
                         : "X-Gauntlet-Delivery (a unique id) is required");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return refuse(Delivery::kMalformed, 400, "the body is not a JSON object");
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return metrics_.Count(Delivery::kUnknownRepo);
  const std::string ref = req.has_param("ref") ? req.get_param_value("ref") : "HEAD";
  QueueItem item;
  item.repo = repo->name;
  item.event = "webhook";
  if (ref.empty() || ref.size() > 250 || ref[0] == '-' || !ResolveRef(*repo, ref, &item))
    return refuse(Delivery::kUnknownRepo, 404,
                  "no branch, tag or commit '" + ref + "' in " + repo->name);
  item.payload = json{{"webhook", req.matches[1].str()}, {"delivery", delivery}, {"body", std::move(body)}}.dump();
  item.delivery = "generic/" + delivery;  // apart from GitHub's ids
  auto id = db_->Enqueue(item, "generic", NowMs());
  if (!id.ok()) return Refuse(res, 503, id.error().message);
  metrics_.Count(*id ? Delivery::kQueued : Delivery::kDuplicate);
  if (!*id) return Reply(res, 200, {{"queued", nullptr}, {"duplicate", true}});
  item.id = **id;
  Say(&item, "queued", "generic webhook " + req.matches[1].str());
  Wake();
  Reply(res, 202, {{"queued", **id}, {"duplicate", false}, {"commit", item.commit}});
}

// POST /api/v1/runs {"repo": NAME, "ref": "main", "inputs": {...}}: a manual run at the commit `ref`
// names now in the repository's source.
void Server::Trigger(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return Refuse(res, 400, "the body must be a JSON object: {\"repo\": NAME, \"ref\": REF}");
  for (const char* key : {"repo", "ref"})
    if (body.contains(key) && !body[key].is_string())
      return Refuse(res, 400, std::string(key) + " must be a string");
  const WatchedRepo* repo = NamedRepo(body.value("repo", ""), res);
  if (!repo) return;
  const std::string ref = body.value("ref", "HEAD");
  if (ref.empty() || ref.size() > 250 || ref[0] == '-')
    return Refuse(res, 400, "ref must be a branch, a tag or a commit id");
  QueueItem item;
  item.repo = repo->name;
  item.event = "manual";
  if (!ResolveRef(*repo, ref, &item))
    return Refuse(res, 404, "no branch, tag or commit '" + ref + "' in " + repo->name);
  // Inputs are checked against the pipeline file at that commit before anything is queued.
  auto file = vcs::ReadCommittedFile(repo->local(), item.commit, config_.pipeline);
  if (!file.ok()) return Refuse(res, 503, file.error().message);
  if (!file->found)
    return Refuse(res, 404, config_.pipeline + " is not in " + repo->name + " at " + item.commit.substr(0, 12));
  spec::LoadResult loaded = spec::LoadString(file->content, config_.pipeline);
  for (const spec::Problem& p : loaded.problems.all()) {
    if (p.severity != spec::Severity::kError) continue;
    return Refuse(res, 422, "the pipeline file at " + item.commit.substr(0, 12) + " is invalid: " +
                                config_.pipeline + ":" + std::to_string(p.loc.line) + ":" +
                                std::to_string(p.loc.col) + ": " + p.message);
  }
  auto inputs = spec::CheckInputs(loaded.pipeline.triggers.manual_inputs,
                                  body.value("inputs", json()));
  if (!inputs.ok()) return Refuse(res, 400, inputs.error().message);
  item.payload = json{{"ref", item.ref}, {"sha", item.commit}, {"inputs", *inputs}}.dump();
  auto id = db_->Enqueue(item, "api", NowMs());
  if (!id.ok() || !*id) return Refuse(res, 503, id.ok() ? "not queued" : id.error().message);
  item.id = **id;
  Say(&item, "queued", "api");
  Wake();
  Reply(res, 202, {{"queued", **id}, {"repo", item.repo}, {"ref", item.ref}, {"commit", item.commit},
                   {"inputs", *inputs}});
}

// GET /api/v1/runs?repo=NAME&limit=N&pipeline=P&status=S&branch=B: the repository's runs,
// newest first, as `gauntlet runs --json` prints them (with "tests" and "coverage").
void Server::ListRuns(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  int limit = 0;
  if (!IntParam(req, "limit", 20, 1000, &limit, res)) return;
  store::RunFilter filter;
  filter.limit = limit;
  if (req.has_param("pipeline")) filter.pipeline = req.get_param_value("pipeline");
  if (req.has_param("branch")) filter.branch = req.get_param_value("branch");
  if (req.has_param("status")) {
    filter.status = store::ParseRunStatus(req.get_param_value("status"));
    if (!filter.status)
      return Refuse(res, 400, "unknown status '" + req.get_param_value("status") +
                                  "' (running, success, failed, cancelled, interrupted, ...)");
  }
  const engine::Workspace ws = RepoWorkspace(config_, *repo);
  json runs = json::array();
  std::error_code ec;
  if (std::filesystem::exists(ws.db_path(), ec)) {
    auto store = store::OpenStore(ws.store_url());
    if (!store.ok()) return Refuse(res, 503, store.error().message);
    auto list = engine::FindRuns(**store, filter);
    if (!list.ok()) return Refuse(res, 503, list.error().message);
    for (const engine::ListedRun& r : *list) runs.push_back(engine::ListedRunJson(r, NowMs()));
  }
  Reply(res, 200, {{"repo", repo->name}, {"runs", runs}});
}

// POST /api/v1/git/push?repo=NAME, body: git's "OLD NEW REF" lines (what post-receive and
// reference-transaction hooks read), from `gauntlet hook notify`. Each branch or tag
// update becomes a push item, its payload in GitHub's push shape, so the same `on: push`
// rules decide whether it runs.
void Server::GitPush(const httplib::Request& req, httplib::Response& res) {
  const WatchedRepo* repo = NamedRepo(req.get_param_value("repo"), res);
  if (!repo) return;
  auto is_id = [](const std::string& s) {
    return s.size() == 40 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
  };
  std::vector<QueueItem> items;
  std::istringstream lines(req.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream words(line);
    std::string before, after, ref, extra;
    words >> before >> after >> ref;
    if (!is_id(before) || !is_id(after) || ref.empty() || (words >> extra))
      return Refuse(res, 400, "each line must be OLD NEW REF (40-digit ids): '" + line + "'");
    if (ref.rfind("refs/heads/", 0) != 0 && ref.rfind("refs/tags/", 0) != 0) continue;
    items.push_back(PushItem(repo->name, ref, before, after, "git hook"));
  }
  json queued = json::array();
  for (QueueItem& item : items) {
    auto id = db_->Enqueue(item, "hook", NowMs());
    if (!id.ok() || !*id) return Refuse(res, 503, id.ok() ? "not queued" : id.error().message);
    queued.push_back(**id);
    item.id = **id;
    Say(&item, "queued", "git hook");
  }
  if (!items.empty()) Wake();
  Reply(res, 202, {{"queued", queued}});
}

}  // namespace gauntlet::server
