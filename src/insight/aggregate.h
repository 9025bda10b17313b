// Reads a stream of runs (store::Store::VisitRunHistory: grouped by commit) once and keeps
// per pipeline and job what the report needs, in memory bounded by the number of runs and
// of distinct jobs, not of job rows: counters, and duration samples capped per job
// (percentile.h). Pure: no store access.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "insight/report.h"
#include "store/insight_records.h"

namespace gauntlet::insight {

// A job that declares no `inputs:` and ran again on a commit where it had already passed
// (docs/insight.md, "Advice"): what those re-runs cost.
struct RerunEvidence {
  std::string pipeline, job;
  int64_t executions = 0;
  int64_t reruns = 0;         // executions on a commit it had already passed on
  int64_t rerun_ms = 0;       // their durations
  bool deterministic = true;  // never failed and passed on the same commit
};

struct Aggregate {
  std::vector<PipelineStats> pipelines;  // by name; critical_path not filled (needs the store)
  std::map<std::string, store::RunId> median_runs;  // pipeline -> its median successful run
  std::vector<FlakyJob> flaky;                      // worst first
  std::vector<RerunEvidence> reruns;                // deterministic keyless jobs with re-runs
  int64_t runs_read = 0, jobs_read = 0;
};

class Aggregator {
 public:
  explicit Aggregator(Window window);
  ~Aggregator();
  // Runs must come grouped by commit (all runs of one commit one after the other).
  void Add(const store::HistoryRun& run);
  Aggregate Finish();

 private:
  struct JobAcc;
  struct PipelineAcc;
  struct GroupRow;

  void AddJobs(const store::HistoryRun& run, PipelineAcc& p, bool current,
               std::vector<JobAcc*>* accs);
  void AddRunShape(const store::HistoryRun& run, PipelineAcc& p, const std::vector<JobAcc*>& accs);
  void FlushCommit();
  const std::vector<std::vector<int>>& Needs(const std::string& text);

  Window window_;
  std::map<std::string, std::unique_ptr<PipelineAcc>> pipelines_;
  std::string commit_;           // the commit whose runs are being read
  std::vector<GroupRow> group_;  // executions of that commit (this window)
  std::unordered_map<std::string, std::vector<std::vector<int>>> needs_cache_;
  int64_t runs_read_ = 0, jobs_read_ = 0;
};

}  // namespace gauntlet::insight
