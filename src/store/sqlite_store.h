// SqliteStore: the default Store, one SQLite file (.gauntlet/state.db) in WAL
// mode. The schema and its migrations are in sqlite_schema.h; the state
// layout as a user sees it is in docs/state.md.
//
// Thread safety: two connections, each behind its own mutex. The writer
// connection takes every write and Begin/Commit (one writing thread at a time,
// as store.h requires); the reader connection serves every read, so readers on
// other threads (the HTTP server) see the last committed batch and are not
// blocked by a batch in progress (WAL gives readers a snapshot). Reads from
// the writing thread do not see its own uncommitted batch either. A third
// connection, on a thread of its own, checkpoints the WAL once it holds 1000
// pages (store/wal_checkpointer.h), so no commit pays for a checkpoint.
//
// Durability: WAL with synchronous=NORMAL by default. A committed batch is in
// the WAL, written to the kernel, before Commit returns: it survives a SIGKILL
// of the engine, which is the promise ("nothing is lost when the engine is
// killed"). It may roll back on power loss or an OS crash; the database stays
// consistent and --resume reruns those jobs. synchronous=FULL adds that
// guarantee for one fdatasync per Commit, measured at ~4 ms on these disks (8
// process spawns; see docs/performance.md): too much to pay between every job
// and its dependents by default, available as SqliteStoreOptions::Sync::kFull.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/wal_checkpointer.h"

namespace gauntlet::store {

inline constexpr const char* kDefaultStatePath = ".gauntlet/state.db";

struct SqliteStoreOptions {
  enum class Sync { kNormal, kFull };
  Sync sync = Sync::kNormal;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database (and its directory), migrating an older
  // schema; a newer schema or a file that is not a database is an error.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   SqliteStoreOptions options = {});

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;

  Result<RunId> CreateRun(const RunRecord& run) override;
  Status UpdateRun(const RunRecord& run) override;
  Result<bool> ClaimRun(const RunRecord& seen, int64_t pid, const std::string& host) override;
  Status UpsertJob(const JobRecord& job) override;
  Status AddPendingJobs(RunId run,
                        const std::vector<std::pair<int, std::string_view>>& jobs) override;
  Status JobStarted(RunId run, int job_index, std::string_view name, UnixMs at,
                    int attempt) override;
  Status AttemptFinished(const AttemptRecord& attempt) override;
  Status JobFinished(RunId run, int job_index, std::string_view name, JobStatus status, UnixMs at,
                     const Outputs& outputs, std::string_view reason) override;
  Status SetMetric(RunId run, std::string_view key, double value) override;

  Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter) override;
  Result<std::optional<RunRecord>> GetRun(RunId id) override;
  Result<std::optional<RunRecord>> LatestRun(std::optional<std::string> pipeline) override;
  Result<std::vector<JobRecord>> GetJobs(RunId run) override;
  Result<std::vector<AttemptRecord>> GetAttempts(RunId run, std::optional<int> job_index) override;
  Result<std::map<std::string, Outputs>> GetOutputs(RunId run) override;
  Result<std::map<std::string, double>> GetMetrics(RunId run) override;
  Status PutReport(const ReportRecord& report) override;
  Result<std::vector<ReportRecord>> GetReports(RunId run) override;
  Result<int64_t> RecordIncident(const IncidentRecord& incident) override;
  Result<std::vector<IncidentRecord>> ListIncidents(UnixMs since) override;
  Result<DeploymentStart> StartDeployment(const DeploymentRecord& d) override;
  Result<DeploymentStart> StartDeploymentPreempting(const DeploymentRecord& d,
                                                    const std::string& preempt_phase,
                                                    const std::string& preempt_reason) override;
  Result<bool> AdvanceDeploymentPhase(int64_t id, const std::string& from, const std::string& to,
                                      int64_t pid, const std::string& host) override;
  Status UpdateDeployment(const DeploymentRecord& d) override;
  Result<bool> ClaimDeployment(int64_t id, int64_t old_pid, const std::string& old_host,
                               int64_t pid, const std::string& host) override;
  Status SetDeploymentRequest(int64_t id, const std::string& request) override;
  Result<std::optional<DeploymentRecord>> GetDeployment(int64_t id) override;
  Result<std::optional<DeploymentRecord>> ActiveDeployment(const std::string& env) override;
  Result<std::vector<DeploymentRecord>> ListDeployments(const std::string& env,
                                                        int limit) override;
  Status AddDeploymentEvent(const DeploymentEvent& e) override;
  Result<std::vector<DeploymentEvent>> GetDeploymentEvents(int64_t id) override;
  Status PutSlot(const SlotRecord& slot) override;
  Result<std::vector<SlotRecord>> GetSlots(const std::string& env) override;
  Status SetStable(const StableRecord& stable) override;
  Result<std::optional<StableRecord>> GetStable(const std::string& env) override;
  Status RecordTrustChange(const TrustChangeRecord& change) override;
  Result<std::vector<TrustChangeRecord>> ListTrustChanges(std::string_view repository,
                                                          std::string_view author) override;
  // Releases: sqlite_store_release.cc.
  Result<int64_t> CreateRelease(const ReleaseRecord& r) override;
  Status UpdateRelease(const ReleaseRecord& r) override;
  Status RecordReleaseStep(const ReleaseStepRecord& s) override;
  Result<std::vector<ReleaseRecord>> ListReleases(std::string_view pipeline,
                                                  std::optional<std::string> package,
                                                  int limit) override;
  Result<std::vector<ReleaseStepRecord>> GetReleaseSteps(int64_t id) override;
  // The MCP audit trail: sqlite_store_audit.cc.
  Result<int64_t> RecordAudit(const AuditRecord& r) override;
  Result<std::vector<AuditRecord>> ListAudit(const AuditFilter& f) override;
  // Notifications: sqlite_store_notify.cc.
  Result<int64_t> RecordNotification(const NotificationRecord& r) override;
  Status AddNotifyAttempt(const NotificationRecord& r, const NotifyAttemptRecord& a) override;
  Result<std::vector<NotificationRecord>> ListNotifications(const NotificationFilter& f) override;
  Result<std::vector<RunRecord>> FindInterruptedRuns(
      std::string_view host, const std::function<bool(int64_t pid)>& alive) override;
  // `gauntlet insight`: sqlite_store_insight.cc.
  Status VisitRunHistory(const HistoryFilter& filter,
                         const std::function<void(const HistoryRun&)>& visit) override;
  Result<std::vector<DeploymentHistory>> ListDeploymentHistory(UnixMs since) override;

  // Job cache and artifacts: sqlite_store_cache.cc.
  Status RecordArtifacts(const ArtifactRecord& record) override;
  Result<std::vector<ArtifactRecord>> GetArtifacts(RunId run) override;
  Status PutCacheEntry(const CacheEntry& entry) override;
  Result<std::optional<CacheEntry>> FindCacheEntry(std::string_view key) override;
  Status TouchCacheEntry(std::string_view key, UnixMs at) override;
  Status TouchCacheEntries(const std::vector<std::string>& keys, UnixMs at) override;
  Result<std::vector<CacheEntry>> ListCacheEntries() override;
  Result<std::vector<CacheEntry>> DeleteCacheEntries(std::optional<UnixMs> used_before) override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> writer, std::unique_ptr<SqliteDb> reader,
              const std::string& path)
      : writer_(std::move(writer)), reader_(std::move(reader)), checkpointer_(writer_.get(), path) {}

  std::mutex write_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by write_mu_
  bool in_batch_ = false;             // guarded by write_mu_

  std::mutex read_mu_;
  std::unique_ptr<SqliteDb> reader_;  // guarded by read_mu_

  // The writer's checkpoints, off the writing thread. Destroyed first (declared last).
  WalCheckpointer checkpointer_;
};

}  // namespace gauntlet::store
