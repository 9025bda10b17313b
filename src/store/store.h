// Store: the run history (runs, jobs, attempts, outputs, metrics), behind an
// interface so that SQLite (default, .gauntlet/state.db) and PostgreSQL
// (shared history, later) are interchangeable. Logs live beside it, in
// log_store.h.
//
// Batching. The executor calls Begin() once per event-loop turn, records what
// happened in that turn, and calls Commit() before it spawns the dependents of
// the jobs that finished. Writes outside a Begin/Commit pair commit one by one.
//
// What survives a crash (SIGKILL of the engine at any moment):
//   - every committed batch, entirely; an uncommitted batch is entirely absent
//     (never half of it), so a job recorded as finished was finished before any
//     dependent of it was started.
//   - a run left 'running' by an engine that died: FindInterruptedRuns reports
//     it (its pid is no longer alive on this host), the caller marks it
//     'interrupted', and `gauntlet run --resume` replays its options_json,
//     keeping the jobs that already succeeded.
//   Against power loss or an OS crash, durability depends on the
//   implementation's sync policy (SQLite: see sqlite_store.h); the history
//   stays consistent either way.
//
// Thread safety: a Store may be shared between threads. Writes (including
// Begin/Commit) must come from one thread at a time, normally the scheduler's;
// reads may come from any thread concurrently with the writer (the HTTP
// server), and see only committed batches, never a batch in progress.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/audit_records.h"
#include "store/cache_records.h"
#include "store/deploy_records.h"
#include "store/insight_records.h"
#include "store/notify_records.h"
#include "store/records.h"
#include "store/release_records.h"

namespace gauntlet::store {

// What the release methods of a store that does not keep releases return.
inline Error NoReleases() { return Error{"this store does not keep releases"}; }
inline Error NoAudit() { return Error{"this store does not keep an audit trail"}; }
inline Error NoNotifications() { return Error{"this store does not keep notifications"}; }

class Store {
 public:
  virtual ~Store() = default;

  // Batching: everything written between Begin and Commit is durable together.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;

  // Writes. CreateRun assigns and returns the id (run.id is ignored).
  virtual Result<RunId> CreateRun(const RunRecord& run) = 0;
  // Replaces every field of the run with that id.
  virtual Status UpdateRun(const RunRecord& run) = 0;
  // Makes (pid, host) the engine of run `seen.id` and marks it running, if its status,
  // engine pid and host are still those of `seen`: one compare-and-swap, so of two
  // engines resuming a run exactly one wins. False when the run changed meanwhile.
  virtual Result<bool> ClaimRun(const RunRecord& seen, int64_t pid, const std::string& host) = 0;
  // Inserts or replaces a job row.
  virtual Status UpsertJob(const JobRecord& job) = 0;
  // Lists jobs (index, name) of the run as pending: inserted, or reset to a fresh pending
  // row where one exists. One statement for the whole plan.
  virtual Status AddPendingJobs(RunId run,
                                const std::vector<std::pair<int, std::string_view>>& jobs) = 0;
  // The job is running its `attempt`th attempt (1-based), which becomes its attempt
  // count; the first start time is kept across retries.
  virtual Status JobStarted(RunId run, int job_index, std::string_view name, UnixMs at,
                            int attempt) = 0;
  // Records one finished attempt (the job's row is left as it is).
  virtual Status AttemptFinished(const AttemptRecord& attempt) = 0;
  // The job's final state; inserts the job if it never started (skipped, cached).
  virtual Status JobFinished(RunId run, int job_index, std::string_view name, JobStatus status,
                             UnixMs at, const Outputs& outputs, std::string_view reason) = 0;
  // An optional numeric measurement of the run ("coverage" -> 81.5).
  virtual Status SetMetric(RunId run, std::string_view key, double value) = 0;

  // Reads. A run that does not exist is std::nullopt, not an error.
  virtual Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter) = 0;
  virtual Result<std::optional<RunRecord>> GetRun(RunId id) = 0;
  // The newest run, of one pipeline if given.
  virtual Result<std::optional<RunRecord>> LatestRun(std::optional<std::string> pipeline) = 0;
  // The jobs of a run, by index.
  virtual Result<std::vector<JobRecord>> GetJobs(RunId run) = 0;
  // The attempts of a run (of one job if given), by job index then number.
  virtual Result<std::vector<AttemptRecord>> GetAttempts(RunId run,
                                                         std::optional<int> job_index) = 0;
  // Outputs of every job of a run that has some, by job name.
  virtual Result<std::map<std::string, Outputs>> GetOutputs(RunId run) = 0;
  virtual Result<std::map<std::string, double>> GetMetrics(RunId run) = 0;

  // Reports and incidents (gates; deploys write incidents). Putting a report again
  // for the same (run, job, kind) replaces it.
  virtual Status PutReport(const ReportRecord& report) = 0;
  virtual Result<std::vector<ReportRecord>> GetReports(RunId run) = 0;  // by job index, kind
  virtual Result<int64_t> RecordIncident(const IncidentRecord& incident) = 0;
  // Incidents at or after `since`, oldest first.
  virtual Result<std::vector<IncidentRecord>> ListIncidents(UnixMs since) = 0;

  // Deployments (progressive deploys; src/deploy/, docs/deploy.md).
  // Creates the deployment unless the environment has an active one (running or paused):
  // the check and the insert are one transaction, so two engines cannot both start.
  virtual Result<DeploymentStart> StartDeployment(const DeploymentRecord& d) = 0;
  // The same, but an active holder in phase `preempt_phase` (waiting out its scale-down:
  // `gauntlet rollback` during that window) does not refuse: in the same transaction it
  // ends as succeeded with `preempt_reason`, and `d` starts.
  virtual Result<DeploymentStart> StartDeploymentPreempting(const DeploymentRecord& d,
                                                            const std::string& preempt_phase,
                                                            const std::string& preempt_reason) = 0;
  // Moves the deployment from phase `from` to `to` if it is still running in `from` and
  // driven by (pid, host); false when it is not (it was preempted meanwhile).
  virtual Result<bool> AdvanceDeploymentPhase(int64_t id, const std::string& from,
                                              const std::string& to, int64_t pid,
                                              const std::string& host) = 0;
  // Replaces every field but `request` of the deployment with that id.
  virtual Status UpdateDeployment(const DeploymentRecord& d) = 0;
  // Makes (pid, host) the deployment's engine if it still is (old_pid, old_host): one
  // winner when two processes resume the same deployment. False when someone else won.
  virtual Result<bool> ClaimDeployment(int64_t id, int64_t old_pid, const std::string& old_host,
                                       int64_t pid, const std::string& host) = 0;
  virtual Status SetDeploymentRequest(int64_t id, const std::string& request) = 0;
  virtual Result<std::optional<DeploymentRecord>> GetDeployment(int64_t id) = 0;
  virtual Result<std::optional<DeploymentRecord>> ActiveDeployment(const std::string& env) = 0;
  // Newest first; every environment when `env` is empty.
  virtual Result<std::vector<DeploymentRecord>> ListDeployments(const std::string& env,
                                                                int limit) = 0;
  virtual Status AddDeploymentEvent(const DeploymentEvent& e) = 0;  // assigns seq
  virtual Result<std::vector<DeploymentEvent>> GetDeploymentEvents(int64_t id) = 0;
  virtual Status PutSlot(const SlotRecord& slot) = 0;
  virtual Result<std::vector<SlotRecord>> GetSlots(const std::string& env) = 0;
  virtual Status SetStable(const StableRecord& stable) = 0;
  virtual Result<std::optional<StableRecord>> GetStable(const std::string& env) = 0;
  // Trust level changes (gates: `gauntlet gate`, `gauntlet trust`). Recording a change
  // identical in (repository, author, at_ms, to_level) to one already kept does nothing,
  // so the computed ladder can be recorded again on every gate. Not pure: a store that
  // does not keep them says so.
  virtual Status RecordTrustChange(const TrustChangeRecord& change);
  // Changes of a repository (of one author when `author` is not empty), oldest first.
  virtual Result<std::vector<TrustChangeRecord>> ListTrustChanges(std::string_view repository,
                                                                  std::string_view author);

  // `gauntlet insight` (insight_records.h). Calls `visit` once per run started in the
  // filter's window, with its jobs by index; runs of one commit come one after the other.
  // Not pure: a store that cannot stream its history says so.
  virtual Status VisitRunHistory(const HistoryFilter& filter,
                                 const std::function<void(const HistoryRun&)>& visit);
  // Deployments finished at or after `since`, by environment then start time, with the
  // commit time of what they shipped where a run of that commit recorded it.
  virtual Result<std::vector<DeploymentHistory>> ListDeploymentHistory(UnixMs since);

  // Releases (docs/release.md). Not pure: a store that does not keep them says so.
  virtual Result<int64_t> CreateRelease(const ReleaseRecord&) { return NoReleases(); }
  virtual Status UpdateRelease(const ReleaseRecord&) { return NoReleases(); }
  // Inserts or replaces the step's row (release_id, step).
  virtual Status RecordReleaseStep(const ReleaseStepRecord&) { return NoReleases(); }
  // Newest first; `package` nullopt: every package.
  virtual Result<std::vector<ReleaseRecord>> ListReleases(std::string_view,
                                                          std::optional<std::string>, int) {
    return NoReleases();
  }
  // In the order they were first recorded.
  virtual Result<std::vector<ReleaseStepRecord>> GetReleaseSteps(int64_t) { return NoReleases(); }

  // The MCP audit trail (audit_records.h). Not pure: a store that does not keep it says so.
  virtual Result<int64_t> RecordAudit(const AuditRecord&) { return NoAudit(); }
  // Oldest first.
  virtual Result<std::vector<AuditRecord>> ListAudit(const AuditFilter&) { return NoAudit(); }

  // Notifications (notify_records.h), each write committed at once (not batched). Not
  // pure: a store that does not keep them says so.
  virtual Result<int64_t> RecordNotification(const NotificationRecord&) { return NoNotifications(); }
  // Its state, attempts, status_code, error and finished_ms, with `attempt` added (its
  // number 0: none).
  virtual Status AddNotifyAttempt(const NotificationRecord&, const NotifyAttemptRecord&) {
    return NoNotifications();
  }
  // Newest first, each with its attempts.
  virtual Result<std::vector<NotificationRecord>> ListNotifications(const NotificationFilter&) {
    return NoNotifications();
  }

  // Runs still 'running' whose engine ran on `host` and whose pid `alive` says
  // is gone. Runs of other hosts cannot be judged and are not returned.
  virtual Result<std::vector<RunRecord>> FindInterruptedRuns(
      std::string_view host, const std::function<bool(int64_t pid)>& alive) = 0;

  // --- Job cache and artifacts (docs/caching.md). Writes follow the batching above. ---
  // The artifacts a job stored in a run (replaces an earlier record of that job).
  virtual Status RecordArtifacts(const ArtifactRecord& record) = 0;
  // Every job of a run that stored artifacts, by job index.
  virtual Result<std::vector<ArtifactRecord>> GetArtifacts(RunId run) = 0;
  // Inserts or replaces the entry with that key.
  virtual Status PutCacheEntry(const CacheEntry& entry) = 0;
  virtual Result<std::optional<CacheEntry>> FindCacheEntry(std::string_view key) = 0;
  // The entry was reused at `at`: `prune --older-than` measures from its last use.
  virtual Status TouchCacheEntry(std::string_view key, UnixMs at) = 0;
  // The same for several entries at once (a run's cache hits, in one statement where the
  // store can). Unknown keys are ignored.
  virtual Status TouchCacheEntries(const std::vector<std::string>& keys, UnixMs at) {
    for (const std::string& k : keys) {
      if (Status s = TouchCacheEntry(k, at); !s.ok()) return s;
    }
    return Ok();
  }
  // Newest use first.
  virtual Result<std::vector<CacheEntry>> ListCacheEntries() = 0;
  // Deletes the entries last used before `used_before` (all of them if unset) and
  // returns what was deleted.
  virtual Result<std::vector<CacheEntry>> DeleteCacheEntries(std::optional<UnixMs> used_before) = 0;
};

// Whether a process with that pid exists on this host (kill(pid, 0)).
bool ProcessAlive(int64_t pid);
// This host's name, as recorded in RunRecord::engine_host.
std::string HostName();

// RAII batch: Begin on construction; Commit() makes it durable; a batch
// abandoned without Commit (early return, error) is rolled back.
class Batch {
 public:
  explicit Batch(Store& store) : store_(store), status_(store.Begin()) {}
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  ~Batch() {
    if (status_.ok() && !done_) store_.Rollback();
  }
  // The result of Begin: a batch that failed to begin must not be written to.
  const Status& status() const { return status_; }
  Status Commit() {
    if (!status_.ok()) return status_;
    done_ = true;
    return store_.Commit();
  }

 private:
  Store& store_;
  Status status_;
  bool done_ = false;
};

}  // namespace gauntlet::store
