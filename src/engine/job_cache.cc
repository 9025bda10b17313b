#include "engine/job_cache.h"

#include <chrono>

namespace gauntlet::engine {
namespace {

uint64_t SumBytes(const std::vector<store::CacheEntry>& entries) {
  uint64_t total = 0;
  for (const auto& e : entries) total += e.bytes;
  return total;
}

}  // namespace

Result<CacheListing> ListCache(store::Store& s, const std::string& artifacts_dir) {
  auto entries = s.ListCacheEntries();
  if (!entries.ok()) return entries.error();
  store::ArtifactStore objects(artifacts_dir);
  auto listed = objects.List();
  if (!listed.ok()) return listed.error();
  CacheListing out;
  out.entry_bytes = SumBytes(*entries);
  out.entries = std::move(*entries);
  out.objects = listed->size();
  for (const auto& o : *listed) out.object_bytes += o.size;
  return out;
}

Result<CacheRemoval> RemoveCache(store::Store& s, const std::string& artifacts_dir,
                                 std::optional<Duration> older_than, Clock& clock) {
  const int64_t now_ms = clock.UnixMs();
  std::optional<store::UnixMs> before;
  if (older_than) before = now_ms - older_than->count();
  auto gone = s.DeleteCacheEntries(before);
  if (!gone.ok()) return gone.error();
  store::ArtifactStore objects(artifacts_dir);
  Result<store::TransferStats> removed = store::TransferStats{};
  if (older_than) {
    store::PruneOptions p;
    // An object's last use is its file's mtime: wall time.
    p.unused_since =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms)) - *older_than;
    removed = objects.Prune(p);
  } else {
    removed = objects.Clear();
  }
  if (!removed.ok()) return removed.error();
  CacheRemoval out;
  out.entry_bytes = SumBytes(*gone);
  out.entries = std::move(*gone);
  out.objects = *removed;
  return out;
}

}  // namespace gauntlet::engine
