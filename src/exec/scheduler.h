// Runs a Plan: starts each job as soon as its needs are finished and a slot is free
// (never level by level), evaluates `if:`, renders `${{ }}` templates, builds the
// environment, retries with backoff, applies fail-fast / keep-going and
// continue_on_error, collects $GAUNTLET_OUTPUT, masks secrets, and reports everything
// to an Observer. All OS access goes through the ProcessRunner (and its Clock), except
// reading the small per-attempt outputs file. See docs/running.md.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exec/job_concurrency.h"
#include "exec/job_hooks.h"
#include "exec/masker.h"
#include "exec/observer.h"
#include "exec/process_runner.h"
#include "exec/results.h"
#include "plan/plan.h"
#include "plan/ready.h"
#include "spec/expr.h"

namespace gauntlet::exec {

// A deploy node's executor (a later layer). It must call `done` exactly once, from any
// thread, possibly before returning.
using DeployDone = std::function<void(JobResult)>;
using DeployHandler = std::function<void(const plan::PlannedJob&, DeployDone done)>;

struct SchedulerOptions {
  int parallelism = 0;      // -j; 0: the number of cores
  bool keep_going = false;  // false: fail-fast, start nothing new after a failure
  std::string run_id;
  // The directory jobs run in (absolute); a job's working_directory is relative to it.
  // Given to every spawn: the engine's own working directory is never changed, so runs
  // of different workspaces can share a process. Empty: the engine's directory.
  std::string workspace;
  // Existing directory for the per-attempt $GAUNTLET_OUTPUT files; empty: a temporary
  // directory made (and removed) by Run.
  std::string run_dir;
  // The workspace's state directory (.gauntlet): workflow jobs keep actions/cache entries
  // and upload-artifact files there ($GAUNTLET_STATE_DIR). Empty: not given to jobs.
  std::string state_dir;
  // Where jobs' concurrency groups are kept (exec/job_concurrency.h): shared by every
  // engine of the repository. Empty: state_dir + "/concurrency", else the run's own.
  std::string concurrency_dir;
  std::string branch;
  // When set, asked once for `branch`, the first time a job's contexts are built (the
  // run's git information may still be loading when the first jobs start).
  std::function<std::string()> resolve_branch;
  // The `event` context of expressions (engine/event_context.h); null: {"name": "manual"}.
  nlohmann::json event;
  // Secret name -> value: masked in all output, exposed as env vars to jobs listing them.
  std::vector<std::pair<std::string, std::string>> secrets;
  // The inherited environment as "KEY=VALUE"; unset: the engine's own environment.
  std::optional<std::vector<std::string>> base_env;
  // Resume: results of jobs finished in a previous run, not run again.
  std::vector<std::pair<plan::JobId, JobResult>> previous;
  // Resume: the attempts each job (by index) already made; numbering goes on after them,
  // so no two executions of a job share an attempt number (in its log, in the store).
  std::vector<int> attempts_before;
  // Every job process gets GAUNTLET_TAG=<process_tag>/<job index>/<attempt>, by which it
  // and whatever it starts are found even outside its process group (exec/leftovers.h).
  // Empty: "engine-<pid>/<run_id>".
  std::string process_tag;
  DeployHandler deploy;  // unset: deploy nodes fail with "deploys are not supported yet"
  // How long a result may wait for its commit (Observer::Flush) when no job that needs it
  // is about to start: bounds what a crash loses without a commit per job.
  Duration max_commit_delay{std::chrono::milliseconds(100)};
  // Job cache, change filters, artifacts (docs/caching.md); unset: none of them. Must
  // outlive the scheduler.
  JobHooks* hooks = nullptr;
  // The `changes` context of `if:` ({"files": [...], "available": true}); null: absent.
  nlohmann::json changes;
};

class Scheduler : private ProcessRunner::Delegate {
 public:
  // `plan`, `runner` and `observer` must outlive the scheduler.
  Scheduler(const plan::Plan& plan, ProcessRunner* runner, Observer* observer,
            SchedulerOptions options);
  ~Scheduler() override;

  // Runs to completion (or cancellation). Call once.
  RunResult Run();
  // Requests cancellation: SIGTERM to every running job's group, SIGKILL after the grace
  // period; a second call SIGKILLs at once. Thread-safe.
  void Cancel();

  const std::vector<JobResult>& results() const { return results_; }

 private:
  struct JobRun;

  void OnOutput(ProcId id, std::string_view bytes) override;
  void OnExit(ProcId id, const AttemptResult& result) override;
  void OnCancelSignal() override { Cancel(); }

  void StartReadyJobs();
  // The next job to start: one waiting for room in its group (plan::JobGroup), else the
  // tracker's next ready job that is not held back by its group's max_parallel.
  bool PopStartable(plan::JobId* id);
  // Job `failed` of a fail-fast group failed: its other jobs are cancelled.
  void FailFast(plan::JobId failed);
  JobResult GroupCancelled(plan::JobId id) const;
  bool Decide(plan::JobId id);  // true: run it; false: finished here (skipped/failed/cancelled)
  bool AskHooks(plan::JobId id);  // true: run it; false: finished by the hooks (cached, ...)
  void StartAttempt(plan::JobId id);
  void StartDeploy(plan::JobId id);
  void AttemptDone(plan::JobId id, AttemptResult result);
  Status Prepare(plan::JobId id);  // renders script and env once per job
  void Finish(plan::JobId id, JobResult result);
  void DoCancel();
  void HandleDeploysDone();
  void HandleRetryTimers();
  // Resolves options_.branch on first use. *calls: whether a called workflow's inputs
  // and secrets evaluated (spec/workflow_call.h).
  nlohmann::json Contexts(plan::JobId id, Status* calls = nullptr);
  // A workflow's github, inputs, runner, ... contexts (spec/workflow_context.h).
  void AddWorkflowContexts(const plan::PlannedJob& job, nlohmann::json* c,
                           Status* calls) const;
  void Emit(plan::JobId id, std::string_view bytes);
  // Job concurrency groups (spec::Job::concurrency, exec/job_concurrency.h), in
  // scheduler_concurrency.cc. EnterGroup: true, run it now; false, it waits for its group
  // (conc_waiting_) or was finished (its group did not render).
  bool EnterGroup(plan::JobId id);
  // Waiting jobs that took their group become startable, replaced ones end cancelled,
  // and running holders a newer job asked to stop are cancelled.
  void HandleGroupChanges();
  void LeaveGroup(plan::JobId id);
  bool Drop(std::vector<plan::JobId>& list, plan::JobId id);
  ProcId ProcOf(plan::JobId id) const;   // its running process, -1: none
  int AttemptsOf(plan::JobId id) const;  // its attempts so far, 0: never started

  const plan::Plan& plan_;
  ProcessRunner* runner_;
  Observer* observer_;
  SchedulerOptions options_;
  Masker masker_;
  plan::ReadyTracker tracker_;
  int parallelism_;

  std::string process_tag_;  // options_.process_tag or its default
  std::vector<JobResult> results_;
  std::vector<std::unique_ptr<JobRun>> runs_;  // per job, created when it starts
  std::vector<plan::JobId> proc_job_;          // ProcId -> job
  std::vector<plan::JobId> backoff_;           // waiting out a retry backoff (few)
  std::vector<plan::JobId> retry_ready_;       // backoff over, waiting for a slot
  // Per plan::JobGroup: its jobs holding a place (started, not finished), those waiting
  // for one, and the job whose failure stopped it (-1: none).
  std::vector<int> group_running_;
  std::vector<std::vector<plan::JobId>> group_waiting_;
  std::vector<plan::JobId> group_failed_;
  std::vector<char> holds_group_place_;  // per job
  // Job concurrency groups: made on the first job that has one. Per job: its ticket (-1:
  // none), what its log says about its group, and why its group stopped it ("": did not).
  std::unique_ptr<ConcurrencyGroups> concurrency_;
  std::vector<ConcurrencyGroups::Ticket> conc_ticket_;
  std::vector<std::string> conc_group_;  // "concurrency group 'NAME'" (masked)
  std::vector<std::string> conc_note_;
  std::vector<std::string> conc_stopped_;
  std::vector<plan::JobId> conc_waiting_;  // waiting for their group, in arrival order
  std::vector<plan::JobId> conc_ready_;    // hold their group, waiting for a slot
  bool conc_check_ = false;     // a group of ours changed here: check without an event
  bool conc_cancelled_ = false;  // a job was replaced or cancelled by a newer one

  // The inherited environment, prepared once: strings, their pointers, key -> index.
  std::vector<std::string> base_env_;
  std::vector<char*> base_ptrs_;
  std::unordered_map<std::string_view, size_t> base_index_;
  nlohmann::json base_env_json_;  // the same as the `env` context's first layer, on first use

  std::atomic<bool> cancel_requested_{false};
  bool cancelling_ = false;
  bool stopping_ = false;  // fail-fast after a failure
  bool run_failed_ = false;
  bool dirty_ = false;  // starts or results reported since the last Flush
  // Commit points: a flush happens before starting a job one of whose needs finished since
  // the last flush, and otherwise at most options_.max_commit_delay after a result; independent jobs
  // do not pay a commit each. epoch_ counts flushes; finished_epoch_[job] is the epoch in
  // which the job's result was reported (0: not yet).
  uint64_t epoch_ = 1;
  std::vector<uint64_t> finished_epoch_;
  TimePoint last_flush_{};
  int run_dir_fd_ = -1;  // options_.run_dir, open while Run runs
  void FlushNow();
  // Stops the run when the observers can no longer record it (a full disk).
  void CheckRecording();
  std::string StopReason() const;     // of jobs cancelled or never started
  bool RefusedStart(plan::JobId id);  // finished it, cancelled, after a failed commit
  std::string storage_error_;         // why the run could not be recorded; "": it can
  bool NeedsUncommitted(plan::JobId id) const;
  int deploys_running_ = 0;
  std::mutex deploy_mu_;
  std::vector<std::pair<plan::JobId, JobResult>> deploys_done_;  // guarded by deploy_mu_
  TimePoint run_start_{};
};

}  // namespace gauntlet::exec
