// Rate limits of the server's routes (HTTP 429 with Retry-After): a token bucket per key —
// an API token, or the remote address of a webhook sender or of a call without a token.
// Pure logic with the time passed in.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gauntlet::server {

class RateLimiter {
 public:
  // `per_minute` requests a minute per key, in bursts of up to as many; 0: no limit.
  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}
  // 0 when a request under `key` may go now (and is counted); else the whole seconds until
  // one may (what Retry-After says), at least 1.
  int Take(const std::string& key, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  static constexpr size_t kMaxKeys = 100000;  // beyond: full buckets are forgotten
  const int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace gauntlet::server
