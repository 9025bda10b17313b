// Records a run as the scheduler reports it: an exec::Observer writing job rows,
// attempts and outputs to the Store and job output to the run's log file. Writes are
// batched: one transaction per scheduler commit point (Observer::Flush), after the
// log is flushed, so a job recorded as finished has its output on disk and is durable
// before any dependent is spawned (the scheduler calls Flush before spawning).
//
// A job costs the store two statements: its attempt and its final row. Both are
// written into the open transaction when the scheduler is about to wait (Idle), not
// when the job ends, so the job's slot is refilled first; a commit point (before a
// dependent starts) then only has to commit.
// The "running" row is written at the commit point only for a job still running then;
// a job that starts and finishes between two commit points never has one (its final
// row carries the start time and attempt count). The scheduler commits at most
// SchedulerOptions::max_commit_delay after a start, so `status` sees running jobs.
// Used on the scheduler's thread only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exec/observer.h"
#include "store/log_store.h"
#include "store/store.h"

namespace gauntlet::store {

class RunRecorder : public exec::Observer {
 public:
  using NowMs = std::function<UnixMs()>;
  // A cache hit moves its entry's last use only when that was at least this long ago.
  static constexpr UnixMs kCacheUseResolutionMs = 60'000;
  // `store`, `log` and `run` must outlive the recorder; `run` is updated in place.
  RunRecorder(Store* store, LogWriter* log, RunRecord* run, NowMs now);

  // Resuming a run in place: these job indexes are already recorded as finished in
  // this run and are left untouched (not reset to pending, not written again).
  void KeepRecorded(std::vector<bool> kept) { kept_ = std::move(kept); }
  // Run fields known only after the run started (its git information): `fill` puts them
  // into the record and says whether they are there, waiting for them with `wait`. Asked
  // at every commit point until they are (then the run row is rewritten), and at the end.
  using LateFields = std::function<bool(RunRecord* run, bool wait)>;
  void FillLater(LateFields fill) { late_ = std::move(fill); }
  // Called right before each commit of the store, after the log was flushed: tests read
  // the log there, where docs/state.md promises it is complete.
  void BeforeCommit(std::function<void()> hook) { before_commit_ = std::move(hook); }
  ~RunRecorder() override;

  void OnRunStarted(const plan::Plan& plan) override;
  void OnJobStarted(const plan::PlannedJob& job, int attempt) override;
  void OnOutput(const plan::PlannedJob& job, int attempt, std::string_view bytes) override;
  void OnAttemptFinished(const plan::PlannedJob& job, int attempt,
                         const exec::AttemptResult& result) override;
  void OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) override;
  void OnRunFinished(const exec::RunResult& result) override;
  void Flush() override;
  void Idle() override;
  // The first write error (the scheduler then stops the run; recording goes on, best
  // effort, for the jobs being stopped).
  Status RecordingStatus() const override { return status_; }

  // The first write error, if any.
  const Status& status() const { return status_; }

 private:
  void Check(Status s);
  void EnsureBatch();
  void WritePending();
  // The artifacts a job stored and the cache entry of a job that ran under a cache key.
  void RecordCache(const plan::PlannedJob& job, const exec::JobResult& r, const Outputs& outputs);

  // What the store has not been told yet about a started job.
  struct Started {
    UnixMs first_ms = 0;  // the first attempt's start
    int attempts = 0;     // attempts begun
    bool running = false;
    bool written = false;  // its "running" row is in the store
    UnixMs done_ms = 0;    // when it finished: its dependents became ready then
  };
  // When the job became ready: the last of its needs finished, or the run started.
  UnixMs ReadyMs(const plan::PlannedJob& job) const;

  Store* store_;
  std::function<void()> before_commit_;
  LogWriter* log_;
  RunRecord* run_;
  NowMs now_;
  const plan::Plan* plan_ = nullptr;
  UnixMs run_start_ms_ = 0;  // this engine's start of the run (a resumed run: now)
  std::vector<Started> started_;    // by job index
  std::vector<int> unwritten_;      // started since the last Flush
  std::vector<AttemptRecord> attempts_;  // finished since the last Flush
  std::vector<JobRecord> finished_;      // final rows since the last Flush
  std::vector<std::string> hits_;        // cache entries reused since the last Flush
  bool in_batch_ = false;
  bool dirty_ = false;
  Status status_ = Ok();
  std::vector<bool> kept_;
  LateFields late_;  // unset once written
  bool Kept(int index) const { return index < static_cast<int>(kept_.size()) && kept_[index]; }
};

// The store's spelling of an executor result.
JobStatus ToJobStatus(const exec::JobResult& result);
RunStatus ToRunStatus(exec::RunState state);

}  // namespace gauntlet::store
