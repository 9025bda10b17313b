// The server's own state, beside the runs' stores: API tokens (hashes only), webhook
// deliveries (for replay protection) and the queue of triggered runs. One SQLite file,
// `server.db` in the server's state directory, one connection behind a mutex (the HTTP
// threads and the queue's worker share it). A trigger is acknowledged only once its
// queue row is committed: a 2xx means durable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace gauntlet::server {

// Scopes, each including the ones before it.
enum class Scope { kRead = 0, kTrigger = 1, kDeploy = 2, kAdmin = 3 };
std::optional<Scope> ParseScope(const std::string& s);
const char* ToString(Scope s);

struct TokenRecord {
  int64_t id = 0;
  std::string name;
  Scope scope = Scope::kRead;
  int64_t created_ms = 0;
  int64_t revoked_ms = 0;  // 0: active
  int64_t last_used_ms = 0;
};

// A triggered run waiting, running or ended. States: queued, running, done (the run
// ended: its own status says how), ignored (the pipeline's `on:` does not ask for this
// event), error (it could not be started: checkout, invalid pipeline file; see reason),
// cancelled (a newer item of its concurrency group replaced it before it started).
struct QueueItem {
  int64_t id = 0;
  std::string repo;     // the watched repository's name
  std::string event;    // push, manual, ...
  std::string ref;      // refs/heads/main, refs/tags/v1
  std::string commit;   // the exact commit to run
  std::string payload;  // JSON: what the trigger carried
  std::string delivery; // the webhook delivery id, if any
  // The pipeline file to run, relative to the repository's root; "": each pipeline file
  // of the commit whose `on:` takes the event (server/pipelines.h).
  std::string pipeline;
  std::string state;
  std::string reason;
  int64_t run_id = 0;
  int64_t queued_ms = 0, started_ms = 0, finished_ms = 0;
  bool resumed = false;  // taken before, by a server that stopped or was killed in it
  // Its concurrency group, "REPO:GROUP" ("": none), once admitted (server/concurrency.h).
  std::string group;
};

// Queue items counted by repository, state and reason (for a done item: the run's
// status): what /metrics reports.
struct QueueCount {
  std::string repo, state, reason;
  int64_t count = 0;
};

class ServerDb {
 public:
  static Result<std::unique_ptr<ServerDb>> Open(const std::string& path);

  // A new token; the plaintext is returned once and only its hash is kept. kConflict when
  // an active token has that name.
  Result<std::pair<TokenRecord, std::string>> CreateToken(const std::string& name, Scope scope,
                                                          int64_t now_ms);
  Result<std::vector<TokenRecord>> ListTokens();
  // By name or id; kNotFound when no active token matches.
  Result<TokenRecord> RevokeToken(const std::string& name_or_id, int64_t now_ms);
  // The active token whose hash matches, noting its use; nullopt when none.
  Result<std::optional<TokenRecord>> Authenticate(const std::string& plaintext, int64_t now_ms);

  // Queues `item` (state queued). With a delivery id, the delivery is recorded in the same
  // transaction and a delivery seen before queues nothing: nullopt.
  Result<std::optional<int64_t>> Enqueue(QueueItem item, const std::string& source,
                                         int64_t now_ms);
  // Records a delivery that queues nothing (a ping, an event no pipeline takes); false
  // when it was seen before.
  Result<bool> RecordDelivery(const std::string& delivery, const std::string& source,
                              const std::string& event, int64_t now_ms);
  // A schedule (by key) as the server starts to watch it: its last fire time, which is
  // `now_s` the first time it is seen (a new schedule does not fire for the past).
  Result<int64_t> StartSchedule(const std::string& key, int64_t now_s);
  // Queues `item` for the schedule's slot `slot_s` and records the slot as its last fire,
  // in one transaction; nullopt (nothing queued) when that slot or a later one fired
  // already, so a restart or a second server thread never fires a slot twice.
  Result<std::optional<int64_t>> FireSchedule(const std::string& key, int64_t slot_s,
                                              const QueueItem& item, int64_t now_ms);
  // The oldest queued item of a repository not in `busy`, marked running; nullopt when
  // there is none.
  Result<std::optional<QueueItem>> TakeNext(int64_t now_ms, const std::set<std::string>& busy = {});
  // Queued items not yet admitted (their concurrency group not yet known), oldest first.
  // Only admitted items are taken.
  Result<std::vector<QueueItem>> Unadmitted();
  Status Admit(int64_t id, const std::string& group);
  // The admitted items of `group` in `state`, oldest first.
  Result<std::vector<QueueItem>> InGroup(const std::string& group, const std::string& state);
  Status SetRunId(int64_t id, int64_t run_id);
  Status Finish(int64_t id, const std::string& state, const std::string& reason, int64_t now_ms);
  // After a restart: items left running go back to the queue (their run, if it was
  // recorded, is resumed). Returns how many.
  Result<int> Requeue();
  Result<std::vector<QueueItem>> ListQueue(int limit);
  Result<std::optional<QueueItem>> GetItem(int64_t id);
  // The newest item of repository `repo` that ran run `run_id` (what a retry repeats:
  // its event, ref and payload); nullopt for a run this server did not start.
  Result<std::optional<QueueItem>> ItemOfRun(const std::string& repo, int64_t run_id);
  Result<std::vector<QueueCount>> CountQueue();

 private:
  // Inserts `item` as queued if `claim`, run first in the same transaction, says so.
  Result<std::optional<int64_t>> EnqueueIf(const QueueItem& item, int64_t now_ms,
                                           const std::function<Result<bool>()>& claim);
  // Records a delivery id; false when it was seen before. Needs mu_.
  Result<bool> ClaimDelivery(const std::string& delivery, const std::string& source,
                             const std::string& event, int64_t now_ms);
  explicit ServerDb(std::unique_ptr<store::SqliteDb> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<store::SqliteDb> db_;
};

}  // namespace gauntlet::server
