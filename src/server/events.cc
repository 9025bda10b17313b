#include "server/events.h"

#include <httplib.h>

#include <cstdlib>

#include "server/server.h"

namespace gauntlet::server {

void EventBus::Publish(const std::string& type, nlohmann::json data) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    buffer_.push_back({next_++, type, std::move(data)});
    if (buffer_.size() > keep_) buffer_.pop_front();
  }
  cv_.notify_all();
}

std::vector<ServerEvent> EventBus::After(int64_t after, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [&] { return closed_ || next_ - 1 > after; });
  std::vector<ServerEvent> out;
  for (const ServerEvent& e : buffer_)
    if (e.id > after) out.push_back(e);
  return out;
}

void EventBus::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

int64_t EventBus::last() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_ - 1;
}

bool EventBus::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

// GET /api/v1/events: server-sent events, `id: N`, `event: queue`, `data: {...}` per change
// of a queue item, from the event after Last-Event-ID (or ?after=N; default: only new
// ones). A comment line every 15 s keeps proxies from closing an idle stream; a client
// that goes away ends its stream within a second. Each client holds an HTTP thread.
void Server::Events(const httplib::Request& req, httplib::Response& res) {
  std::string from = req.get_header_value("Last-Event-ID");
  if (from.empty()) from = req.get_param_value("after");
  int64_t after = -1;  // -1: from the next event on
  if (!from.empty()) {
    char* end = nullptr;
    after = std::strtoll(from.c_str(), &end, 10);
    if (*end != '\0' || after < 0)
      return Refuse(res, 400, "Last-Event-ID and after take an event id (0: every kept event)");
  }
  if (after < 0) after = events_.last();
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream", [this, after](size_t, httplib::DataSink& sink) mutable {
        auto idle = std::chrono::steady_clock::now();
        while (sink.is_writable() && !events_.closed()) {
          for (const ServerEvent& e : events_.After(after, std::chrono::seconds(1))) {
            const std::string frame = "id: " + std::to_string(e.id) + "\nevent: " + e.type +
                                      "\ndata: " + e.data.dump() + "\n\n";
            if (!sink.write(frame.data(), frame.size())) return false;
            after = e.id;
            idle = std::chrono::steady_clock::now();
          }
          if (std::chrono::steady_clock::now() - idle > std::chrono::seconds(15)) {
            if (!sink.write(": idle\n\n", 9)) return false;
            idle = std::chrono::steady_clock::now();
          }
        }
        sink.done();
        return true;
      });
}

}  // namespace gauntlet::server
