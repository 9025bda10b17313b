// Test-only: what a user of an environment sees. A client looping GETs through nginx's
// unix socket on a thread until stopped, counting every answer by the version that gave
// it (the X-Version header, on 500s too) and every failure. It never retries: libcurl
// silently resends a request whose reused keep-alive connection died ("Connection died,
// retrying a fresh connect"), which would hide a request the server dropped, so such a
// request counts as failed here, as it would for a client that does not retry.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gauntlet::deploy::testing {

class Client {
 public:
  explicit Client(std::string socket) : socket_(std::move(socket)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Client() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Forgets what was seen so far (counting starts once the stable release serves).
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = ok_ = dropped_ = 0;
    by_version_.clear();
    failures_.clear();
  }
  int failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }
  // Failures no backend answered (nginx's 502, a reset): dropped requests, as opposed to
  // a version's own errors.
  int dropped() {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }
  int ok() {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_;
  }
  // The first failures, one per line: when (UTC, to the millisecond), what curl
  // said, the status and the version that answered: for a failing test's message.
  std::string failures() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& f : failures_) out += "\n  " + f;
    return out.empty() ? "" : "failed requests:" + out;
  }
  // Answers (any status) by the version that gave them.
  int served_by(const std::string& version) {
    std::lock_guard<std::mutex> lock(mu_);
    return by_version_[version];
  }
  // Waits until `version` has answered `count` more requests, at most `deadline`.
  bool WaitFor(const std::string& version, std::chrono::milliseconds deadline, int count = 5) {
    std::unique_lock<std::mutex> lock(mu_);
    int before = by_version_[version];
    return cv_.wait_for(lock, deadline, [&] { return by_version_[version] >= before + count; });
  }

 private:
  struct Answer {
    std::string version;
    bool retried = false;
  };
  static size_t Discard(char*, size_t s, size_t n, void*) { return s * n; }
  static size_t Header(char* d, size_t s, size_t n, void* out) {
    std::string line(d, s * n);
    const std::string name = "X-Version: ";
    if (line.size() > name.size() && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0)
      static_cast<Answer*>(out)->version = line.substr(name.size(), line.find('\r') - name.size());
    return s * n;
  }
  static int Debug(CURL*, curl_infotype type, char* data, size_t size, void* out) {
    if (type == CURLINFO_TEXT &&
        std::string(data, size).find("retrying a fresh connect") != std::string::npos)
      static_cast<Answer*>(out)->retried = true;
    return 0;
  }

  // "HH:MM:SS.mmm" UTC, to line up with the engine's and nginx's logs.
  static std::string Now() {
    auto now = std::chrono::system_clock::now();
    time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    char buf[32];
    tm parts{};
    gmtime_r(&t, &parts);
    strftime(buf, sizeof buf, "%H:%M:%S", &parts);
    snprintf(buf + 8, sizeof buf - 8, ".%03d", static_cast<int>(ms.count()));
    return buf;
  }
  static std::string Describe(CURLcode code, long status, const Answer& answer) {
    return Now() + ": " + curl_easy_strerror(code) + ", status " +
           std::to_string(status) + ", version '" + answer.version + "'" +
           (answer.retried ? ", resent on a fresh connection" : "");
  }

  void Loop() {
    CURL* curl = curl_easy_init();
    while (!stop_) {
      Answer answer;
      curl_easy_setopt(curl, CURLOPT_URL, "http://localhost/");
      curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
      curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Header);
      curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
      curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
      curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Debug);
      curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &answer);
      long status = 0;
      CURLcode code = curl_easy_perform(curl);
      bool done = code == CURLE_OK &&
                  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK;
      {
        std::lock_guard<std::mutex> lock(mu_);
        bool good = done && status == 200 && !answer.retried;
        (good ? ok_ : failed_)++;
        if (!good && failures_.size() < 20) failures_.push_back(Describe(code, status, answer));
        if (!done || answer.version.empty() || answer.retried) ++dropped_;
        if (done && !answer.version.empty()) ++by_version_[answer.version];
      }
      cv_.notify_all();
    }
    curl_easy_cleanup(curl);
  }

  std::string socket_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int ok_ = 0, failed_ = 0, dropped_ = 0;
  std::map<std::string, int> by_version_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

}  // namespace gauntlet::deploy::testing
