// The rows of the job cache and of recorded artifacts (docs/caching.md). Plain data,
// shared by every Store implementation, like records.h.
#pragma once

#include <cstdint>
#include <string>

#include "store/records.h"

namespace gauntlet::store {

// A job result that may be reused: the job ran successfully under `key`.
struct CacheEntry {
  std::string key;  // cache::CacheKey, 32 hex digits
  std::string pipeline;
  std::string job;   // the concrete job name ("unit (python=3.12)")
  RunId run_id = 0;  // the run that produced it
  int job_index = 0;
  Outputs outputs;
  std::string artifacts = "[]";  // manifest JSON (store/artifact_manifest.h)
  uint64_t bytes = 0;            // total size of its artifacts
  UnixMs created_ms = 0;
  UnixMs last_used_ms = 0;  // creation, then every reuse
};

// The artifacts one job of a run stored.
struct ArtifactRecord {
  RunId run_id = 0;
  int job_index = 0;
  std::string job;
  std::string manifest = "[]";  // JSON (store/artifact_manifest.h)
  uint64_t files = 0;
  uint64_t bytes = 0;
};

}  // namespace gauntlet::store
