#include "cache/input_cache.h"

#include <time.h>

namespace gauntlet::cache {

int64_t RealtimeNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

InputCache::InputCache(std::string root, StatCache* stat_cache, std::function<int64_t()> now_ns)
    : root_(std::move(root)), stat_cache_(stat_cache), now_ns_(std::move(now_ns)) {}

Result<InputDigest> InputCache::Hash(const std::vector<std::string>& patterns, unsigned threads) {
  if (remember_) {
    if (auto it = by_patterns_.find(patterns); it != by_patterns_.end()) {
      ++stats_.reused;
      return it->second;
    }
  }
  auto globs = GlobSet::Compile(patterns);
  if (!globs.ok()) return globs.error();
  // Before the walk's stats: a file changed after them has a later timestamp (stat_cache.h).
  walked_ns_ = now_ns_();
  auto entries = Walk(root_, *globs);
  if (!entries.ok()) return entries.error();
  ++stats_.walks;
  auto digest = HashEntries(root_, *entries, threads, this, &stats_.hashing);
  if (!digest.ok()) return digest.error();
  if (remember_) by_patterns_.emplace(patterns, *digest);
  return digest;
}

void InputCache::Forget() {
  by_patterns_.clear();
  files_.clear();
}

void InputCache::WorkTreeMayChange() {
  Forget();
  remember_ = false;
}

std::optional<Digest> InputCache::Find(const WalkEntry& file) const {
  if (remember_) {
    if (auto it = files_.find(file.path); it != files_.end()) return it->second;
  }
  return stat_cache_ != nullptr ? stat_cache_->Find(file) : std::nullopt;
}

void InputCache::Learn(const WalkEntry& file, const Digest& digest) {
  if (remember_) files_[file.path] = digest;
  if (stat_cache_ != nullptr) stat_cache_->Record(file, digest, walked_ns_);
}

}  // namespace gauntlet::cache
