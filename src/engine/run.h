// Running a pipeline as a library call: a RunRequest goes in, a RunHandle comes back. The
// handle reports the run's events (to the request's observer, on the run's thread), can
// be cancelled from any thread, and ends in a RunOutcome. Every face (the CLI today; the
// server, the trigger loop, MCP and release next) starts runs only through StartRun.
//
// Nothing process-wide changes during a run: jobs and deploy commands get their directory
// in the spawn request, signals are the caller's business (the CLI turns SIGINT into
// Cancel), and every resource (store connections, the log, the process runner, threads)
// belongs to the run. Two runs of different pipelines may go on at once in one process.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "engine/pipeline.h"
#include "engine/secrets.h"
#include "engine/seed.h"
#include "engine/workspace.h"
#include "exec/observer.h"
#include "exec/results.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::engine {

class Notifier;  // engine/notify.h

// What started the run: "manual" (a person or an agent), "push", "schedule", "webhook",
// ... Expressions see it as the `event` context (engine/event_context.h), and the cache
// counts it in the key of a job whose commands are templated.
struct Event {
  std::string name = "manual";
  // What the trigger carried (a GitHub push webhook's body, a schedule's slot, manual
  // inputs); null for a plain manual run.
  nlohmann::json payload;
  // For a push of a merge commit: the branch that was merged (the server finds it in the
  // source repository, engine/event_context.h says how); "" otherwise.
  std::string merged_branch;
  // For a generic webhook (POST /api/v1/hooks/generic/NAME): its NAME and delivery id;
  // "" otherwise.
  std::string webhook_name, webhook_delivery;
};

struct RunOptions {
  int parallelism = 0;  // -j; 0: cores
  bool keep_going = false;
  // Job cache and change filters (docs/caching.md).
  bool no_cache = false;  // never reuse a cached result (new ones are recorded)
  std::string base;       // changed files are counted from its merge-base
  // Jobs not to run, with the result they count as (resumed, retried, not selected).
  Seed previous;
  // The earlier run the successful jobs of `previous` come from (retry, the needs of
  // --from): their stored reports are carried into the new run (gate/carry_reports.h).
  store::RunId carried_from = 0;
  store::RunId resume = 0;  // continue this run in place instead of creating a new one
  std::string reason;       // recorded on a new run ("retry of run 12")
  // Another engine holds the workspace's state directory: wait for it (calling the
  // request's `note`) instead of failing with ErrorKind::kBusy.
  bool wait = false;
  nlohmann::json recorded = nlohmann::json::object();  // options --resume replays
};

struct RunRequest {
  const LoadedPipeline* pipeline = nullptr;  // ok(); must outlive the handle
  Workspace workspace;
  Event event;
  RunOptions options;
  Secrets secrets;              // masked everywhere; given to the jobs that list them
  std::string store_url;        // empty: workspace.store_url()
  std::unique_ptr<store::Store> store;  // already open (PrepareRun's); null: from the URL
  std::string executor;         // exec/executors.h; empty: local
  Clock* clock = nullptr;       // null: RealClock()
  exec::Observer* observer = nullptr;  // the run's events, on its thread (progress, ...)
  // What people should know before the run starts ("waiting for run 3, pid 12 on host
  // b1 to finish", "killed 2 process(es) left running by an earlier engine"), on the
  // caller's thread.
  std::function<void(const std::string&)> note;
  // A progress line of a deploy stage, from the stage's thread.
  std::function<void(const std::string& job, const std::string& line)> deploy_line;
  // Notifications (engine/notify.h): the run's end and its deploy stages' ends go to the
  // pipeline's `notify:` URLs through it (it must outlive the handle); null: none.
  Notifier* notifier = nullptr;
  std::string notify_repo;  // the watched repository the run is of, when a server runs it
  // Where the run can be seen ("{run}" stands for its id); "": nowhere known.
  std::string run_url;
};

struct RunOutcome {
  store::RunRecord run;  // as recorded at the end
  exec::RunState state = exec::RunState::kSuccess;
  bool skipped = false;  // the pipeline's `changes:` found nothing relevant: nothing ran
  std::vector<exec::JobResult> results;     // by plan job id
  // Problems with the jobs' report files; unset when no job has `reports:`.
  std::optional<std::vector<std::string>> report_warnings;
  std::vector<std::string> warnings;  // recording problems, report warnings: for people
  // Why the run could not be recorded (a full disk; secrets masked): the scheduler
  // stopped it, and its end may not be in the store. Empty: everything was recorded.
  // The run is resumable once space is freed (`gauntlet run --resume`).
  std::string storage_error;
};

class RunHandle {
 public:
  virtual ~RunHandle() = default;  // waits for the run to end
  // The run's id in the store, known from the start.
  virtual store::RunId run_id() const = 0;
  // Stops the run: running jobs get SIGTERM (SIGKILL after a grace; a second call kills
  // at once), nothing new starts; a deploy stage under way finishes (or rolls back) first
  // (docs/deploy.md). Thread-safe; nothing after the end.
  virtual void Cancel() = 0;
  // Blocks until the run has ended.
  virtual const RunOutcome& Wait() = 0;
};

// Takes the state directory's engine lock (one engine at a time runs jobs there: it is
// held until the run ends), opens the store, kills what killed engines of the workspace
// left running, records the run (or claims it, to resume it) and starts it on a thread
// of its own. Errors before anything ran carry their kind: kBusy (another engine holds
// the workspace or the run), kNotFound (the run to resume, --base), kInvalid (the
// request), kInternal (the store, the log).
Result<std::unique_ptr<RunHandle>> StartRun(RunRequest request);

}  // namespace gauntlet::engine
