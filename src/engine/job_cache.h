// The job cache's housekeeping (`gauntlet cache ls|clear|prune`, next the server): its
// entries in the store and the artifact objects behind them, listed or removed together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/artifact_store.h"
#include "store/store.h"

namespace gauntlet::engine {

struct CacheListing {
  std::vector<store::CacheEntry> entries;
  uint64_t entry_bytes = 0;  // artifact bytes the entries name
  uint64_t objects = 0;      // objects in the artifact store, shared by entries and runs
  uint64_t object_bytes = 0;
};

Result<CacheListing> ListCache(store::Store& s, const std::string& artifacts_dir);

struct CacheRemoval {
  std::vector<store::CacheEntry> entries;
  uint64_t entry_bytes = 0;
  store::TransferStats objects;  // objects removed, and their bytes
};

// Removes every entry and every artifact object (`older_than` unset), or those not used
// for `older_than` by `clock`'s wall time. Removed objects can no longer be restored.
Result<CacheRemoval> RemoveCache(store::Store& s, const std::string& artifacts_dir,
                                 std::optional<Duration> older_than, Clock& clock);

}  // namespace gauntlet::engine
