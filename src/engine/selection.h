// Turning what a person or an agent asks of a run (--only, --from, --resume, retry RUN)
// into RunOptions: which earlier run is continued or retried, which jobs are taken from
// it, and what the new run records so that a later --resume replays it. The CLI and the
// server ask the same way.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/pipeline.h"
#include "engine/run.h"
#include "store/store.h"

namespace gauntlet::engine {

// A new run as asked.
struct RunAsk {
  std::vector<std::string> only;  // these jobs and what they need
  std::string from;               // this job and everything after it
  int parallelism = 0;
  bool keep_going = false;
  bool no_cache = false;
  std::string base;
  // --resume: continue this interrupted or cancelled run (0: the pipeline's newest one).
  std::optional<store::RunId> resume;
};

struct PreparedRun {
  RunOptions options;
  size_t kept = 0;  // resumed: jobs that already succeeded in the run
  std::unique_ptr<store::Store> store;  // opened for the lookups (null: none needed)
};

// A resumed run keeps the selection, --no-cache and --base it started with (a --base
// given now wins). Errors: kNotFound (no run to resume, an unknown job), kInvalid (the
// plan changed since the run started, --only with --from), kInternal (the store).
Result<PreparedRun> PrepareRun(const std::string& store_url, const LoadedPipeline& loaded,
                               const RunAsk& ask);

// `gauntlet retry`: a new run of the same file running the jobs that did not succeed in
// `original` and everything downstream of them; the others are taken from it.
struct PreparedRetry {
  store::RunRecord original;
  LoadedPipeline loaded;  // the run's pipeline file as it is now (may be invalid)
  RunOptions options;
  int to_run = 0;  // 0: every job succeeded, nothing to retry
  std::unique_ptr<store::Store> store;
};

// `run` 0: the latest run. Errors: kNotFound (no such run, no runs), kConflict (it is
// still running), kInternal (the store). An invalid pipeline file is not an error here:
// `loaded` says so.
Result<PreparedRetry> PrepareRetry(const std::string& store_url, store::RunId run,
                                   int parallelism, bool keep_going);

// The run --resume continues: `wanted`, else the pipeline's newest run that was
// interrupted (its engine died), cancelled, or stopped because it could not be recorded
// (store/run_claim.h). Errors are kNotFound, or kBusy when a live engine drives it.
Result<store::RunRecord> FindResumable(store::Store& st, const std::string& pipeline,
                                       store::RunId wanted);

}  // namespace gauntlet::engine
