#include "server/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace gauntlet::server {

int RateLimiter::Take(const std::string& key, std::chrono::steady_clock::time_point now) {
  if (per_minute_ <= 0) return 0;
  const double cap = per_minute_, per_second = per_minute_ / 60.0;
  std::lock_guard<std::mutex> lock(mu_);
  auto refill = [&](Bucket& b) {
    const double seconds = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(cap, b.tokens + std::max(0.0, seconds) * per_second);
    b.at = now;
  };
  if (buckets_.size() >= kMaxKeys && !buckets_.count(key)) {
    // Many keys (a scan with made-up tokens): forget those that have refilled, which
    // holds nobody back.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= cap ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{cap, now});
  Bucket& b = it->second;
  if (!fresh) refill(b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / per_second)));
}

}  // namespace gauntlet::server
