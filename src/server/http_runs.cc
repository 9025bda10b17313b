// Routes of one run: GET /api/v1/runs/ID (what `gauntlet status --json` prints), its log
// (JSON chunks, plain text with byte ranges, or server-sent events while it runs) and
// POST /api/v1/runs/ID/cancel. Every route names the repository with ?repo= (optional
// when the server watches one).
#include <httplib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "engine/cancel.h"
#include "engine/log_follow.h"
#include "engine/run_detail.h"
#include "engine/views_run.h"
#include "server/server.h"
#include "store/open.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

// The repository's store and the run the path names; if none, the answer is set.
struct OpenedRun {
  const WatchedRepo* repo = nullptr;
  engine::Workspace ws;
  std::unique_ptr<store::Store> store;
  store::RunRecord run;
};

// `repo` null: the 404 is set already (Server::NamedRepo).
std::optional<OpenedRun> OpenRun(const ServerConfig& config, const WatchedRepo* repo,
                                 const std::string& id_text, httplib::Response& res) {
  if (!repo) return std::nullopt;
  OpenedRun o;
  o.repo = repo;
  o.ws = RepoWorkspace(config, *repo);
  std::error_code ec;
  if (!std::filesystem::exists(o.ws.db_path(), ec)) {
    Refuse(res, 404, "no run " + id_text + " in " + repo->name);
    return std::nullopt;
  }
  auto store = store::OpenStore(o.ws.store_url());
  if (!store.ok()) {
    Refuse(res, 503, store.error().message);
    return std::nullopt;
  }
  o.store = std::move(*store);
  auto run = o.store->GetRun(std::stoll(id_text));
  if (!run.ok()) {
    Refuse(res, 503, run.error().message);
    return std::nullopt;
  }
  if (!*run) {
    Refuse(res, 404, "no run " + id_text + " in " + repo->name);
    return std::nullopt;
  }
  o.run = **run;
  return o;
}

// Which chunks a log request asks for: ?job=NAME (a spec job name takes its matrix
// jobs) and ?attempt=N. Sets a 404 and returns false for an unknown job.
struct LogSelection {
  std::map<uint32_t, std::string> names;
  std::set<uint32_t> wanted;  // empty: every job
  int attempt = 0;
  bool Shown(const store::LogChunk& c) const {
    return (wanted.empty() || wanted.count(c.job)) && (attempt == 0 || c.attempt == attempt);
  }
  std::string Name(uint32_t job) const {
    auto it = names.find(job);
    return it != names.end() ? it->second : "#" + std::to_string(job);
  }
};

bool SelectLog(store::Store& s, const store::RunRecord& run, const httplib::Request& req,
               LogSelection* sel, httplib::Response& res) {
  auto jobs = s.GetJobs(run.id);
  if (!jobs.ok()) {
    Refuse(res, 503, jobs.error().message);
    return false;
  }
  const std::string job = req.get_param_value("job");
  for (const store::JobRecord& j : *jobs) {
    sel->names[j.index] = j.name;
    if (!job.empty() && (j.name == job || j.name.starts_with(job + " (")))
      sel->wanted.insert(j.index);
  }
  if (!job.empty() && sel->wanted.empty()) {
    Refuse(res, 404, "run " + std::to_string(run.id) + " has no job '" + job + "'");
    return false;
  }
  return IntParam(req, "attempt", 0, 1000, &sel->attempt, res);
}

}  // namespace

void Server::InstallRunRoutes() {
  httplib::Server& http = *http_;
  auto read = [this](void (Server::*route)(const httplib::Request&, httplib::Response&)) {
    return [this, route](const httplib::Request& req, httplib::Response& res) {
      if (config_.public_read || Allowed(*db_, req, res, Scope::kRead)) (this->*route)(req, res);
    };
  };
  http.Get(R"(/api/v1/runs/(\d{1,18}))", read(&Server::RunDetail));
  http.Get(R"(/api/v1/runs/(\d{1,18})/log)", read(&Server::RunLog));
  http.Post(R"(/api/v1/runs/(\d{1,18})/cancel)",
            [this](const httplib::Request& req, httplib::Response& res) {
              if (Allowed(*db_, req, res, Scope::kTrigger)) CancelRunRoute(req, res);
            });
  http.Post(R"(/api/v1/runs/(\d{1,18})/retry)",
            [this](const httplib::Request& req, httplib::Response& res) {
              if (Allowed(*db_, req, res, Scope::kTrigger)) RetryRunRoute(req, res);
            });
}

void Server::RunDetail(const httplib::Request& req, httplib::Response& res) {
  auto o =
      OpenRun(config_, NamedRepo(req.get_param_value("repo"), res), req.matches[1].str(), res);
  if (!o) return;
  auto detail = engine::ReadRunDetail(*o->store, o->run);
  if (!detail.ok()) return Refuse(res, 503, detail.error().message);
  json body = engine::RunDetailJson(*detail, NowMs());
  body["repo"] = o->repo->name;
  Reply(res, 200, body);
}

// ?format=json (default): {"run", "chunks": [{job, attempt, text}]}, adjacent frames of one
// attempt joined, as `gauntlet logs --json`. ?format=text: the text alone (byte ranges
// with a Range header: 206). ?follow=1, or Accept: text/event-stream: server-sent events
// `log` (one per chunk) until the run ends, then `end` with the run's status.
void Server::RunLog(const httplib::Request& req, httplib::Response& res) {
  auto o =
      OpenRun(config_, NamedRepo(req.get_param_value("repo"), res), req.matches[1].str(), res);
  if (!o) return;
  auto sel = std::make_shared<LogSelection>();
  if (!SelectLog(*o->store, o->run, req, sel.get(), res)) return;
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  const bool follow = req.get_param_value("follow") == "1" ||
                      req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
  if (format != "json" && format != "text")
    return Refuse(res, 400, "format must be json or text");
  if (!follow) {
    json chunks = json::array();
    std::string text;
    Status read = engine::ReadRunLog(
        *o->store, o->ws, o->run.id, {}, [&](const store::LogChunk& c) {
          if (!sel->Shown(c)) return;
          text += c.data;
          const std::string job = sel->Name(c.job);
          if (!chunks.empty() && chunks.back()["job"] == job && chunks.back()["attempt"] == c.attempt)
            chunks.back()["text"] = chunks.back()["text"].get<std::string>() + c.data;
          else
            chunks.push_back({{"job", job}, {"attempt", c.attempt}, {"text", c.data}});
        });
    if (!read.ok()) return Refuse(res, 503, read.error().message);
    // No status set: cpp-httplib answers 200, or 206 with the bytes a Range header asks.
    if (format == "text") return res.set_content(text, "text/plain; charset=utf-8");
    return Reply(res, 200, {{"run", o->run.id}, {"chunks", chunks}});
  }
  // Followed: the read blocks until the run ends, on the connection's own thread; a client
  // that goes away ends it within a second.
  auto opened = std::make_shared<OpenedRun>(std::move(*o));
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream", [opened, sel](size_t, httplib::DataSink& sink) {
        bool gone = false;
        auto send = [&](const std::string& event, const json& data) {
          const std::string frame = "event: " + event + "\ndata: " + data.dump() + "\n\n";
          if (!gone && !sink.write(frame.data(), frame.size())) gone = true;
        };
        engine::LogReadOptions options;
        options.follow = true;
        options.stop = [&] { return gone || !sink.is_writable(); };
        Status read = engine::ReadRunLog(
            *opened->store, opened->ws, opened->run.id, options, [&](const store::LogChunk& c) {
              if (sel->Shown(c))
                send("log", {{"job", sel->Name(c.job)}, {"attempt", c.attempt}, {"text", c.data}});
            });
        auto now = opened->store->GetRun(opened->run.id);
        if (!read.ok())
          send("error", {{"error", read.error().message}});
        else if (now.ok() && *now)
          send("end", {{"run", opened->run.id}, {"status", store::ToString((*now)->status)}});
        sink.done();
        return true;
      });
}

// A run this server drives is cancelled through its handle: the worker records it and
// ends the queue item `done (cancelled)`. Another process's run goes through
// engine::CancelRun (as `gauntlet cancel`).
void Server::CancelRunRoute(const httplib::Request& req, httplib::Response& res) {
  auto o =
      OpenRun(config_, NamedRepo(req.get_param_value("repo"), res), req.matches[1].str(), res);
  if (!o) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(o->repo->name);
    if (it != running_.end() && it->second.handle && it->second.handle->run_id() == o->run.id) {
      it->second.handle->Cancel();
      return Reply(res, 202, {{"run", o->run.id}, {"action", "cancelling"}});
    }
  }
  if (o->run.status != store::RunStatus::kRunning)
    return Refuse(res, 409, "run " + std::to_string(o->run.id) + " is not running (" +
                                std::string(store::ToString(o->run.status)) + ")");
  auto done = engine::CancelRun(*o->store, o->ws.state_dir, o->run, std::chrono::seconds(30),
                                RealClock(), [](const std::string&) {});
  if (!done.ok()) return Refuse(res, 409, done.error().message);
  Reply(res, 200, {{"run", o->run.id}, {"action", done->action},
                   {"status", store::ToString(done->run.status)}});
}

// The retry is queued like any trigger (durable before the 202) and runs at the run's
// commit with the event and payload of the item that started the run, so its `if:`s
// decide as they did; a run this server did not start is retried with the event `retry`.
void Server::RetryRunRoute(const httplib::Request& req, httplib::Response& res) {
  auto o =
      OpenRun(config_, NamedRepo(req.get_param_value("repo"), res), req.matches[1].str(), res);
  if (!o) return;
  const store::RunRecord& run = o->run;
  if (run.status == store::RunStatus::kRunning || run.status == store::RunStatus::kQueued)
    return Refuse(res, 409, "run " + std::to_string(run.id) + " is still running");
  if (run.status == store::RunStatus::kSuccess)
    return Refuse(res, 409, "run " + std::to_string(run.id) + " has nothing to retry: it succeeded");
  if (run.git_commit.empty())
    return Refuse(res, 409, "run " + std::to_string(run.id) + " has no commit to run at");
  auto original = db_->ItemOfRun(o->repo->name, run.id);
  if (!original.ok()) return Refuse(res, 503, original.error().message);
  QueueItem item;
  item.repo = o->repo->name;
  item.event = "retry";
  item.commit = run.git_commit;
  if (run.git_branch != "HEAD" && !run.git_branch.empty()) item.ref = "refs/heads/" + run.git_branch;
  json payload = json::object();
  if (*original) {
    item.event = (*original)->event;
    item.ref = (*original)->ref;
    payload = json::parse((*original)->payload, nullptr, false);
    if (!payload.is_object()) payload = json::object();
  }
  item.pipeline = std::filesystem::path(run.file).lexically_relative(o->ws.root).generic_string();
  if (item.pipeline.empty() || item.pipeline.starts_with(".."))
    return Refuse(res, 409, "run " + std::to_string(run.id) + " is not of a file of " + item.repo);
  payload[kRetryOf] = run.id;
  item.payload = payload.dump();
  auto id = db_->Enqueue(item, "api", NowMs());
  if (!id.ok() || !*id) return Refuse(res, 503, id.ok() ? "not queued" : id.error().message);
  item.id = **id;
  Say(&item, "queued", "retry of run " + std::to_string(run.id));
  Wake();
  Reply(res, 202, {{"queued", **id}, {"retry_of", run.id}, {"repo", item.repo},
                   {"commit", item.commit}, {"pipeline", item.pipeline}});
}

}  // namespace gauntlet::server
