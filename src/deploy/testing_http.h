// Test-only: an in-process HTTP server answering canned responses (a fake metric
// provider). Included by *_test.cc only; gauntlet_tests links cpp-httplib.
#pragma once

#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace gauntlet::deploy::testing {

class CannedServer {
 public:
  struct Canned {
    int status = 200;
    std::string body;
  };

  CannedServer() {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      last_query_ = req.get_param_value("query");
      auto it = responses_.find(req.path);
      if (it == responses_.end()) {
        res.status = 404;
        return;
      }
      res.status = it->second.status;
      res.set_content(it->second.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < end) {
      std::this_thread::yield();
    }
  }
  ~CannedServer() {
    server_.stop();
    thread_.join();
  }

  void Set(const std::string& path, int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    responses_[path] = Canned{status, std::move(body)};
  }
  std::string last_query() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_query_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, Canned> responses_;
  std::string last_query_;
};

}  // namespace gauntlet::deploy::testing
