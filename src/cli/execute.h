// Running a loaded pipeline for real and recording it: the path shared by `gauntlet run`
// (new or resumed runs) and `gauntlet retry` (a new run seeded with a previous run's
// successful jobs).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/pipeline_arg.h"
#include "exec/results.h"
#include "store/records.h"

namespace gauntlet::cli {

struct ExecuteOptions {
  int parallelism = 0;  // -j; 0: cores
  bool keep_going = false;
  bool verbose = false;
  bool json = false;
  bool color = false;
  std::string secrets_file;
  std::string state_dir;  // "" : .gauntlet beside the pipeline file
  // Jobs not to run, with the result they count as (resumed, retried, not selected).
  std::vector<std::pair<plan::JobId, exec::JobResult>> previous;
  // The earlier run the successful jobs of `previous` come from (retry, the needs of
  // --from): their stored reports are carried into the new run (gate/carry_reports.h).
  store::RunId carried_from = 0;
  store::RunId resume = 0;  // continue this run in place instead of creating a new one
  std::string reason;       // recorded on a new run ("retry of run 12")
  nlohmann::json options = nlohmann::json::object();  // what --resume replays
  // Job cache and change filters (docs/caching.md).
  bool no_cache = false;  // --no-cache: never reuse a cached result (new ones are recorded)
  std::string base;       // --base REF: changed files are counted from its merge-base
  bool wait = false;      // --wait: wait for another engine of the state dir to finish
};

// Runs `loaded` (which must be ok()) and returns the process exit code.
int Execute(const LoadedPipeline& loaded, ExecuteOptions options);

// A fingerprint of the plan's shape (job names and edges): --resume refuses a plan
// that changed since the run started.
std::string PlanFingerprint(const plan::Plan& plan);

// Every secret the pipeline names (pipeline, jobs, environments), valued from the
// secrets file, else gauntlet's environment; values in the file that nothing names are
// kept too (they are masked). A secret with no value is left out.
Result<std::vector<std::pair<std::string, std::string>>> CollectSecrets(
    const spec::Pipeline& p, const std::string& secrets_file);

// Reads KEY=VALUE lines (blank lines and # comments skipped) of a secrets file.
Result<std::vector<std::pair<std::string, std::string>>> ReadSecretsFile(const std::string& path);

}  // namespace gauntlet::cli
