// Input digests for one run (`gauntlet run`): each glob list is expanded once and each file
// hashed once, however many jobs name them, and files the stat cache (stat_cache.h) knows
// unchanged since an earlier run are not read at all. A fully cached re-run of 1,000 jobs
// sharing `inputs: ["src/**"]` walks `src/` once and reads nothing.
//
// Remembering within a run is only right while nothing writes into the work tree: the
// owner calls Forget() after writing files itself (restored artifacts) and
// WorkTreeMayChange() once any job is started (a job may write anything, at any time):
// from then on every Hash walks again and checks every file's stat (the stat cache still
// spares the reads of unchanged files). Used on one thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/hasher.h"
#include "cache/stat_cache.h"

namespace gauntlet::cache {

// Nanoseconds since the Unix epoch (CLOCK_REALTIME: compared with file timestamps).
int64_t RealtimeNs();

struct InputCacheStats {
  uint64_t walks = 0;         // glob lists expanded
  uint64_t reused = 0;        // Hash calls answered from this run's memory
  HashStats hashing;          // files read, files known
};

class InputCache : private KnownDigests {
 public:
  // `stats` (may be null) must outlive this object; `now_ns` reads the clock.
  explicit InputCache(std::string root, StatCache* stat_cache = nullptr,
                      std::function<int64_t()> now_ns = RealtimeNs);

  // The digest of what `patterns` select under the root now (cache::HashInputs').
  Result<InputDigest> Hash(const std::vector<std::string>& patterns, unsigned threads = 0);

  // The owner wrote files under the root: what this run remembers is forgotten.
  void Forget();
  // A job was started: from now on nothing is remembered within the run.
  void WorkTreeMayChange();

  const InputCacheStats& stats() const { return stats_; }

 private:
  std::optional<Digest> Find(const WalkEntry& file) const override;
  void Learn(const WalkEntry& file, const Digest& digest) override;

  std::string root_;
  StatCache* stat_cache_;
  std::function<int64_t()> now_ns_;
  bool remember_ = true;
  int64_t walked_ns_ = 0;  // when the current Hash call's walk began
  std::map<std::vector<std::string>, InputDigest> by_patterns_;
  std::unordered_map<std::string, Digest> files_;  // hashed in this run, by path
  InputCacheStats stats_;
};

}  // namespace gauntlet::cache
