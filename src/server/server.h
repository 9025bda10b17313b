// `gauntlet serve`: a long-running server that turns triggers (GitHub push webhooks, API
// calls) into runs of the watched repositories' pipelines, each at the exact commit the
// trigger names, in queue order, through the engine (engine/run.h): up to `slots` runs at
// once, of different repositories (one repository's runs go one at a time: they share its
// kept workspace and its state directory's engine lock).
//
//   HTTP thread pool ──> ServerDb (queue, deliveries, tokens) ──> `slots` worker threads
//        (routes, auth, HMAC)   committed before the 2xx           checkout, StartRun
//
// State lives in `state_dir`: server.db, workspaces/<repo> (the kept working copies;
// <repo>@<item> the fresh ones) and repos/<repo> (each repository's run store, logs and
// artifacts, as `.gauntlet/` would hold them). docs/server.md is the user's view.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "engine/run.h"
#include "server/events.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/server_db.h"

namespace gauntlet::engine {
class DeploymentHandle;  // engine/deployment.h
class Notifier;          // engine/notify.h
}  // namespace gauntlet::engine

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gauntlet::server {

class McpEndpoint;  // http_mcp.h

struct WatchedRepo {
  std::string name;    // what webhooks (repository.name) and API calls name it by
  std::string source;  // a path or URL the workspace is cloned and fetched from
  // Seconds between fetches of `source` (0: not polled); each moved branch or tag is a
  // push (server/poll.h).
  int poll_s = 0;
  // A polled repository's bare copy under the state directory (set by Server::Start):
  // what refs are resolved and files read from, and what workspaces are brought from.
  std::string mirror;
  const std::string& local() const { return mirror.empty() ? source : mirror; }
  // "kept" (one working copy, brought to each commit) or "fresh" (a new one per run,
  // removed after success); "": the server's `workspace`.
  std::string workspace;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed)
  std::vector<WatchedRepo> repos;
  std::string state_dir;
  std::string pipeline = "gauntlet.yml";  // the pipeline file, relative to each repository
  int jobs = 0;                           // -j of each run; 0: cores
  // Runs at once, over all repositories (--slots); a repository runs one at a time.
  int slots = 1;
  std::string workspace = "kept";  // --workspace: of the repositories without their own
  // How long the fresh workspace of a run that did not succeed is kept (--keep-failed).
  int keep_failed_s = 86400;
  std::string webhook_secret;             // empty: /hooks/github refuses every delivery
  std::string secrets_file;               // KEY=VALUE lines for the pipelines' secrets
  bool public_read = false;               // GET routes without a token
  size_t max_body = 5 << 20;              // bytes; larger requests get 413
  // Requests a minute per API token, and per remote address for webhooks and calls
  // without a token; more get 429 with Retry-After. 0: no limit.
  int rate_limit = 0;
  bool json = false;                      // progress lines as JSON objects
  std::string mcp_policy_file;            // the trust gateway's policy at /mcp ("" default)
  // TLS in the server itself (cpp-httplib's SSLServer, OpenSSL): PEM files, both or none.
  std::string tls_cert, tls_key;
  // The server's address as people reach it, for the run links of notifications; "":
  // the address it listens on.
  std::string public_url;
};

// The payload key of a retry item: the run it retries (removed before the run sees the
// payload).
inline constexpr const char* kRetryOf = "retry_of";
// The event of a queue item that acts on a deployment (promote, abort, rollback through
// the API); its payload: {"deployment": ID, "action": NAME, "to": VERSION, "by": TOKEN}.
inline constexpr const char* kDeploymentEvent = "deployment";

inline int64_t NowMs() { return RealClock().UnixMs(); }

// Where a repository's things are kept under the state directory.
engine::Workspace RepoWorkspace(const ServerConfig& config, const WatchedRepo& repo);

// The fresh workspace of queue item `item` (`workspace: fresh`): STATE/workspaces/NAME@ID
// ('@' is in no repository name, so it never meets a kept one).
std::string FreshRoot(const ServerConfig& config, const WatchedRepo& repo, int64_t item);

// The update of `ref` from `before` to `after` (40 zeros: created, deleted) of repository
// `repo` as a queue item, its payload in GitHub's push shape: what the installed hook and
// polling queue (poll.cc), so `on: push` decides as for a webhook.
QueueItem PushItem(const std::string& repo, const std::string& ref, const std::string& before,
                   const std::string& after, const std::string& pusher);

// Route helpers shared by the route files (http.cc, http_runs.cc). Errors are JSON
// {"error": reason}.
void Reply(httplib::Response& res, int status, const nlohmann::json& body);
void Refuse(httplib::Response& res, int status, const std::string& reason);
// Whether the request carries a token with at least `needed`; if not, the answer is set
// (401 without a valid token, 403 with too small a scope). `token_name`: the token's name.
bool Allowed(ServerDb& db, const httplib::Request& req, httplib::Response& res, Scope needed,
             std::string* token_name = nullptr);
// A positive integer query parameter within [1, max]; `fallback` when absent; if bad,
// the 400 answer is set.
bool IntParam(const httplib::Request& req, const char* name, int fallback, int max, int* out,
              httplib::Response& res);

struct EndedRun;  // server/pipelines.h

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  // Opens the state, puts runs a killed server left running back in the queue, binds the
  // port and starts the worker. Errors: kInvalid (config), kUnavailable (the port).
  Status Start();
  int port() const { return port_; }
  // Serves until Stop() (from a signal handler's thread or another thread).
  void Serve();
  // Stops taking requests; a run under way is cancelled and stays queued, to be resumed
  // by the next start (`gauntlet run --resume` semantics: finished jobs do not run again).
  void Stop();

  // For the routes (http.cc).
  const ServerConfig& config() const { return config_; }
  ServerDb& db() { return *db_; }
  const WatchedRepo* FindRepo(const std::string& name) const;
  // The repository `name` names, or the only one when `name` is empty and the server
  // watches one; nullptr with a 404 answer set when there is none.
  const WatchedRepo* NamedRepo(const std::string& name, httplib::Response& res) const;
  void Wake();  // a new item is queued
  // Item `id` once it has ended (done, ignored, error), or as it is at `timeout`, or when
  // the server stops: GET /api/v1/queue/ID?wait=S, what `gauntlet trigger --wait` polls.
  Result<std::optional<QueueItem>> WaitForItem(int64_t id, std::chrono::seconds timeout);
  // How many times queue items have changed (queued, started, ended) since the server
  // started; when that is still `since`, first waits for a change, at most `timeout`
  // (or until the server stops): GET /api/v1/queue?changed_since=E&wait=S.
  int64_t WaitForQueueChange(int64_t since, std::chrono::seconds timeout);

 private:
  // One slot: takes the oldest queued item of a repository no other slot is running,
  // processes it, and again, until the server stops.
  void WorkLoop();
  // concurrency.cc: finds the concurrency group of each queued item not yet admitted,
  // ends the older waiting item of its group and, with cancel-in-progress, cancels the
  // running one. Workers take only admitted items. AdmitLoop, a thread of its own, runs
  // it after each Wake(), so a newer item acts even while every slot is busy.
  void AdmitQueued();
  void AdmitLoop();
  // After `item` was processed: its fresh workspace (if its repository has them) is removed
  // when it succeeded or ran nothing, else kept for keep_failed_s.
  void EndFresh(const QueueItem& item);
  // Removes the fresh workspaces kept longer than keep_failed_s, except those of items
  // still queued or running (a resumed run goes on in its own); at start and each minute.
  // The paths removed.
  std::vector<std::string> PruneWorkspaces();
  // Fires the watched pipelines' schedules (server/schedules.h), re-reading them from each
  // repository's head at least once a minute.
  void ScheduleLoop();
  // One progress line about `item` (none: the server): text, or JSON with --json.
  void Say(const QueueItem* item, const std::string& what, const std::string& detail,
           int64_t run_id = 0);
  void Process(const QueueItem& item);
  // Runs `req` (of `file`, loaded) for `item` to its end; `timing` says where the time
  // before the engine went, for the line that says the run started.
  void RunAndWait(const QueueItem& item, const engine::Workspace& ws,
                  const engine::LoadedPipeline& loaded, const std::string& file,
                  engine::RunRequest req, const std::string& timing);
  // worker.cc: an item of a commit with several pipeline files becomes one item per file
  // that takes it; a run that ended queues the pipelines whose `on.run` takes it.
  void FanOut(const QueueItem& item, const engine::Workspace& ws,
              const std::vector<std::string>& files);
  void ChainAfter(const QueueItem& item, const engine::Workspace& ws, const EndedRun& run);
  // poll.cc: fetches each polled repository at its interval; moved refs become pushes.
  void PollLoop();
  // One fetch of a polled repository: its moved branches and tags queued as pushes.
  void PollOnce(const WatchedRepo& repo);
  // A `release.schedule` item: release::Run in the repository's kept workspace.
  void ProcessRelease(const QueueItem& item, const WatchedRepo& repo,
                      const engine::Workspace& ws, const std::string& branch);
  // Ends `item` in `state` (done, ignored, error) with `reason`, and says so.
  void Finish(const QueueItem& item, const std::string& state, const std::string& reason);
  void ItemChanged();  // wakes WaitForItem and WaitForQueueChange
  void InstallRoutes();  // http.cc
  void GithubHook(const httplib::Request& req, httplib::Response& res);
  void Trigger(const httplib::Request& req, httplib::Response& res);
  void ListRuns(const httplib::Request& req, httplib::Response& res);
  void GitPush(const httplib::Request& req, httplib::Response& res);
  // POST /api/v1/hooks/generic/NAME: a signed JSON body for pipelines with
  // `on.webhook.name` NAME.
  void GenericHook(const httplib::Request& req, httplib::Response& res);
  // events.cc: GET /api/v1/events, the queue's changes as server-sent events.
  void Events(const httplib::Request& req, httplib::Response& res);
  // http_runs.cc: one run, its log (JSON, text with byte ranges, or followed live as
  // server-sent events) and cancelling it.
  void InstallRunRoutes();
  void RunDetail(const httplib::Request& req, httplib::Response& res);
  void RunLog(const httplib::Request& req, httplib::Response& res);
  void CancelRunRoute(const httplib::Request& req, httplib::Response& res);
  // POST /api/v1/runs/ID/retry: queues a run of the same file at the same commit that runs
  // what did not succeed (engine::PrepareRetry), with the original's event.
  void RetryRunRoute(const httplib::Request& req, httplib::Response& res);
  // http_history.cc: deployments and gate verdicts, through the CLI's JSON views.
  void InstallHistoryRoutes();
  void ListDeployments(const httplib::Request& req, httplib::Response& res);
  // GET /api/v1/notifications?repo=NAME&run=ID&limit=N: the repository's deliveries to
  // its pipelines' notify: URLs, as `gauntlet notifications --json` shows them.
  void ListNotifications(const httplib::Request& req, httplib::Response& res);
  // Where run `{run}` of `repo` is seen through the API, for notifications.
  std::string RunUrl(const WatchedRepo& repo) const;
  void DeploymentDetail(const httplib::Request& req, httplib::Response& res);
  void GateVerdict(const httplib::Request& req, httplib::Response& res);
  // http_deploy.cc: POST /api/v1/deployments/ID/promote|abort|rollback (scope deploy):
  // checked against the deployment's state (409 with the reason), then queued as an item
  // of the event `deployment` that ProcessDeployment (deploy_items.cc) drives through the
  // engine, as `gauntlet promote|abort|rollback` do, at the deployment's commit.
  void InstallDeployRoutes();
  void DeploymentActionRoute(const httplib::Request& req, httplib::Response& res,
                             const std::string& token);
  void ProcessDeployment(const QueueItem& item, const WatchedRepo& repo, engine::Workspace ws);
  // Every watched repository's deployments, for /metrics.
  Result<std::vector<DeploymentSample>> DeploymentSamples();

  ServerConfig config_;
  std::unique_ptr<ServerDb> db_;
  Metrics metrics_;
  std::unique_ptr<McpEndpoint> mcp_;  // /mcp (http_mcp.h)
  // Delivers the runs' notifications (engine/notify.h); closed by Stop() (a run it
  // interrupts is not over: it notifies when resumed), stopped at the end of Serve().
  std::unique_ptr<engine::Notifier> notifier_;
  EventBus events_;  // what Say() says about queue items, for GET /api/v1/events
  RateLimiter limiter_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  int listener_ = -1;  // the listening socket (its backlog is raised once bound)
  std::vector<std::thread> workers_;  // one per slot
  std::thread scheduler_;
  std::thread poller_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable item_changed_;  // an item ended or got its run id
  int64_t item_epoch_ = 0;                // under mu_: counts those changes
  bool stopping_ = false;
  bool pending_ = true;  // look at the queue (set when something was admitted or freed)
  // Under mu_: the repositories a slot is working on (the worker that took the item
  // holds the name until the item ends), and the runs under way by repository.
  std::set<std::string> busy_repos_;
  struct Running {
    int64_t item = 0;
    engine::RunHandle* handle = nullptr;  // null until its run has started
    // A deployment item's action under way (cancelled when the server stops).
    engine::DeploymentHandle* deployment = nullptr;
    bool cancelled = false;               // by a newer item of its concurrency group
  };
  std::map<std::string, Running> running_;
  // Under mu_: the Wake() calls the admitter has to see (from 1: at start it admits what
  // a stopped server left queued).
  uint64_t admit_wakes_ = 1;
  std::vector<std::string> pruned_at_start_;  // said by Serve()
  std::thread admitter_;  // runs AdmitQueued whenever something is queued
};

}  // namespace gauntlet::server
