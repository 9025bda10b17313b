// The job cache, job-level change filters and artifact hand-over, plugged into the
// scheduler (exec::JobHooks) by `gauntlet run`. See docs/caching.md.
//
// Before a job starts: its `changes:` filter may skip it (counts as passed); its needs'
// artifacts are restored into its working directory; if it has `inputs:` (and caching
// is on) its cache key is computed and looked up, and a hit restores the entry's
// artifacts and outputs instead of running it. After a success: its `artifacts:` are
// stored and the manifest and key travel in the JobResult, which the RunRecorder
// writes (cache entry, job_artifacts row) in the same batch as the job's result.
//
// Jobs with none of `inputs:`, `artifacts:`, `changes:` and no need with artifacts cost
// a few comparisons: no file system call, no store statement.
// Used on the scheduler's thread only.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "cache/input_cache.h"
#include "exec/job_hooks.h"
#include "store/artifact_store.h"
#include "store/store.h"
#include "vcs/changes.h"

namespace gauntlet::store {

struct CacheHooksOptions {
  std::string workspace;      // absolute; jobs run there (working_directory is below it)
  std::string artifacts_dir;  // the ArtifactStore's root (.gauntlet/artifacts)
  bool lookup = true;         // false (--no-cache): never reuse, still record new entries
  // The run's branch, for templates in the definition (cache/job_definition.h); asked
  // only for a templated job, on the scheduler's thread.
  std::function<std::string()> branch;
  std::string event;
  // The run's changed files, for job-level `changes:`; null: filters do not apply.
  const vcs::ChangeSet* changes = nullptr;
  unsigned hash_threads = 0;  // cache::HashInputs threads; 0: per core
  // The stat cache kept across runs (cache/stat_cache.h: `.gauntlet/inputs.stat`); empty:
  // none, every input file is read once per run.
  std::string stat_cache;
};

class CacheHooks : public exec::JobHooks {
 public:
  // `plan` and `store` must outlive the hooks.
  CacheHooks(const plan::Plan& plan, Store* store, CacheHooksOptions options);
  // Saves the stat cache (best effort: a lost one only costs the next run some reads).
  ~CacheHooks() override;

  Result<std::optional<exec::JobResult>> BeforeStart(
      const plan::PlannedJob& job, const std::vector<exec::JobResult>& results) override;
  Status AfterSuccess(const plan::PlannedJob& job, exec::JobResult* result) override;

  // The cache key of a job: its definition, the digest of its inputs now, and the
  // outputs, artifacts and results of its needs.
  Result<std::string> Key(const plan::PlannedJob& job, const std::vector<exec::JobResult>& results);

  // What hashing inputs cost in this run (walks, files read), for tests and --timings.
  const cache::InputCacheStats& input_stats() const { return inputs_.stats(); }

 private:
  // BeforeStart's answer, before the work tree is declared changing.
  Result<std::optional<exec::JobResult>> Decide(const plan::PlannedJob& job,
                                                const std::vector<exec::JobResult>& results);
  std::string WorkDir(const plan::PlannedJob& job) const;
  Status RestoreNeeds(const plan::PlannedJob& job, const std::vector<exec::JobResult>& results);
  // Restores the files of `manifest` under `dir` that are not already there as this run
  // left them (see stamps_).
  Status Restore(const std::vector<ArtifactEntry>& manifest, const std::string& dir);
  // Remembers the files of `manifest` under `dir` as they are now.
  void Stamp(const std::vector<ArtifactEntry>& manifest, const std::string& dir);

  const plan::Plan& plan_;
  Store* store_;
  CacheHooksOptions options_;
  ArtifactStore artifacts_;
  cache::StatCache stat_cache_;
  cache::InputCache inputs_;
  std::unordered_map<plan::JobId, std::string> keys_;  // computed, waiting for a success
  // Artifact files this run stored or restored, by absolute path: inode, size, mtime and
  // the content hash they had. A file still identical on disk is not copied again for the
  // next job needing it (a test matrix would otherwise copy a large build output once per
  // job); a file a job changed, replaced or removed meanwhile is.
  struct FileStamp {
    uint64_t ino = 0, size = 0;
    int64_t mtime_ns = 0;
    std::string hash;
  };
  std::unordered_map<std::string, FileStamp> stamps_;
};

}  // namespace gauntlet::store
