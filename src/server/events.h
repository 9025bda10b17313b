// The server's event stream (GET /api/v1/events): every change of a queue item — queued,
// run started, done, ignored, error, interrupted — as a numbered event, kept in a bounded
// buffer so a client that reconnects with Last-Event-ID misses nothing recent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gauntlet::server {

struct ServerEvent {
  int64_t id = 0;    // 1, 2, ... in the order published
  std::string type;  // "queue"
  nlohmann::json data;
};

class EventBus {
 public:
  explicit EventBus(size_t keep = 1000) : keep_(keep) {}
  void Publish(const std::string& type, nlohmann::json data);
  // Events after `after`, waiting up to `wait` for one; empty when none came, or when
  // closed. An `after` older than the buffer gets what the buffer holds.
  std::vector<ServerEvent> After(int64_t after, std::chrono::milliseconds wait);
  void Close();  // wakes every waiter; After returns at once from then on
  bool closed();
  int64_t last();  // the id of the newest event; 0 before any

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ServerEvent> buffer_;
  size_t keep_;
  int64_t next_ = 1;
  bool closed_ = false;
};

}  // namespace gauntlet::server
