// Notifications (docs/pipeline.md, "Notifications"): a JSON event POSTed to each
// `notify:` URL of the pipeline when a run or a deployment ends, with a Slack-compatible
// `text` beside structured fields. The Notifier delivers on a thread of its own, so a
// slow or dead receiver never holds up a run's result or the next run: the run's end
// only records the deliveries as pending and queues them.
//
// Each delivery is a row of the run's store (store/notify_records.h) with every attempt:
// retried with exponential backoff after a connection error, a timeout, 5xx or 429
// (whose Retry-After is honoured), never after another 4xx; at most `attempts` in all.
// URLs and header values may come from secrets: the URL is recorded and shown masked,
// header values never leave the delivery.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/secrets.h"
#include "spec/model.h"
#include "store/deploy_records.h"
#include "store/notify_records.h"
#include "store/records.h"

namespace gauntlet::engine {

// What ended, for the entries whose `on` takes `event`.
struct NotifyEvent {
  std::string event;  // spec::NotifyEvents(): success, failure, ..., deploy_failed
  int64_t run_id = 0;
  int64_t deployment_id = 0;
  nlohmann::json body;  // what is sent
};

// Where the run can be seen and what repository it belongs to, when the face knows
// (the server: its URL and the watched repository's name); "" otherwise.
struct NotifyLinks {
  std::string run_url;  // "" unknown
  std::string repo;
};

// The event of a run that ended in `status`; "" for one that notifies nothing (skipped,
// still running).
std::string RunNotifyEventName(store::RunStatus status);
// The event of a deployment that ended in `state`; "" while it is running or paused.
std::string DeploymentNotifyEventName(const std::string& state);

// The body of a run's end: event, kind "run", text, run_id, pipeline, status, reason,
// commit, branch, jobs_failed, url, repo, at_ms.
NotifyEvent RunNotification(const store::RunRecord& run, const std::vector<std::string>& failed,
                            const NotifyLinks& links, int64_t at_ms);
// The body of a deployment's end: the run fields of `run` (id 0: none) and `deployment`
// {id, environment, version, strategy, state, reason}.
NotifyEvent DeploymentNotification(const store::DeploymentRecord& d, const store::RunRecord& run,
                                   const std::string& pipeline, const NotifyLinks& links,
                                   int64_t at_ms);

// A recorded delivery as every face shows it (`gauntlet notifications --json`, GET
// /api/v1/notifications): its fields, `tries` (each attempt) and the `body` sent.
nlohmann::json NotificationJson(const store::NotificationRecord& r);

// The delivery that ended, for a face's progress line: "notified URL (delivered: 200 after
// 1 attempt)".
using NotifyDone = std::function<void(const store::NotificationRecord&)>;

class Notifier {
 public:
  explicit Notifier(NotifyDone done = nullptr);
  ~Notifier();  // Stop(0)

  // Records in the store at `store_url` one pending delivery of `e` for each entry of
  // `entries` whose `on` takes it, and queues them; returns once they are recorded. The
  // URL and headers are rendered here with `contexts` (secrets, env, branch, event); one
  // that does not render, or is not an http(s) URL, is recorded failed at once.
  void Send(const std::string& store_url, const std::vector<spec::Notify>& entries,
            const NotifyEvent& e, const Secrets& secrets, const nlohmann::json& contexts);
  // From now on Send() records and sends nothing (a server stopping: the runs it cancels
  // are not over, and notify when resumed); what is queued goes on.
  void Close();
  // Blocks until every delivery queued so far has ended.
  void Drain();
  // Ends deliveries: an attempt under way finishes; each delivery waiting to be retried
  // gets one last attempt now, while `grace` lasts; what remains is recorded failed
  // ("not delivered: gauntlet stopped"). Send() after Stop records failed deliveries.
  void Stop(std::chrono::milliseconds grace);

 private:
  struct Delivery;
  void Loop();
  // One attempt of `d`, recorded; true when it should be tried again.
  bool Attempt(Delivery& d);
  void Record(Delivery& d, const store::NotifyAttemptRecord* attempt);

  NotifyDone done_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Delivery>> queue_;  // under mu_
  int in_flight_ = 0;                            // under mu_
  bool stopping_ = false;                        // under mu_
  bool closed_ = false;                          // under mu_
  std::chrono::steady_clock::time_point stop_by_;  // under mu_, once stopping_
  std::thread thread_;
};

}  // namespace gauntlet::engine
