#include "deploy/probe.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "deploy/libcurl.h"

namespace gauntlet::deploy {
namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Target {
  ProbeStats stats;
  std::vector<double> latencies_ms;
};

}  // namespace

double Percentile(std::vector<double>* values, double p) {
  if (values->empty()) return 0;
  std::sort(values->begin(), values->end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values->size()));
  size_t index = static_cast<size_t>(std::max(1.0, rank)) - 1;
  return (*values)[std::min(index, values->size() - 1)];
}

Result<std::vector<ProbeStats>> RunProbe(const std::vector<std::vector<std::string>>& groups,
                                         const ProbeOptions& options) {
  if (options.rate_per_second <= 0 && options.requests <= 0)
    return Error{"probe rate must be above 0"};
  for (const auto& g : groups) {
    if (g.empty()) return Error{"a probe target has no URL"};
  }
  auto api = Curl();
  if (!api.ok()) return api.error();
  const CurlApi& c = **api;
  std::unique_ptr<CURLM, CURLMcode (*)(CURLM*)> multi(c.multi_init(), c.multi_cleanup);
  if (!multi) return Error{"curl_multi_init failed"};
  std::vector<Target> targets(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) targets[i].stats.url = groups[i][0];

  using Clock = std::chrono::steady_clock;
  const double seconds = std::chrono::duration<double>(options.window).count();
  const int64_t total = options.requests > 0
                            ? options.requests
                            : static_cast<int64_t>(seconds * options.rate_per_second);
  const auto interval = std::chrono::duration<double>(total > 0 ? seconds / total : 1.0);
  const auto start = Clock::now();
  int64_t started = 0;
  int in_flight = 0;

  while (true) {
    auto now = Clock::now();
    while (started < total &&
           start + std::chrono::duration_cast<Clock::duration>(interval * started) <= now) {
      for (size_t i = 0; i < targets.size(); ++i) {
        CURL* easy = c.easy_init();
        if (!easy) return Error{"curl_easy_init failed"};
        const std::string& url = groups[i][static_cast<size_t>(started) % groups[i].size()];
        c.easy_setopt(easy, CURLOPT_URL, url.c_str());
        c.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        c.easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
        c.easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
        c.easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(i));
        c.multi_add_handle(multi.get(), easy);
        ++in_flight;
      }
      ++started;
    }
    int running = 0;
    c.multi_perform(multi.get(), &running);
    int left = 0;
    while (CURLMsg* msg = c.multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      void* priv = nullptr;
      c.easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      Target& t = targets[reinterpret_cast<size_t>(priv)];
      long status = 0;
      c.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      curl_off_t micros = 0;
      c.easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &micros);
      ++t.stats.requests;
      if (msg->data.result != CURLE_OK || status >= 500 || status == 0) ++t.stats.errors;
      t.latencies_ms.push_back(static_cast<double>(micros) / 1000.0);
      c.multi_remove_handle(multi.get(), easy);
      c.easy_cleanup(easy);
      --in_flight;
    }
    if (started >= total && in_flight == 0) break;
    // Wait for network activity or the next scheduled start, whichever comes first.
    int wait_ms = 100;
    if (started < total) {
      auto next = start + std::chrono::duration_cast<Clock::duration>(interval * started);
      wait_ms = static_cast<int>(std::clamp<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count(), 0,
          100));
    }
    c.multi_poll(multi.get(), nullptr, 0, wait_ms, nullptr);
  }

  const auto window = std::chrono::duration_cast<Duration>(Clock::now() - start);
  std::vector<ProbeStats> out;
  for (auto& t : targets) {
    t.stats.window = window;
    t.stats.p50_ms = Percentile(&t.latencies_ms, 50);
    t.stats.p95_ms = Percentile(&t.latencies_ms, 95);
    t.stats.p99_ms = Percentile(&t.latencies_ms, 99);
    t.stats.max_ms = t.latencies_ms.empty() ? 0 : t.latencies_ms.back();
    t.stats.latencies_ms = std::move(t.latencies_ms);
    out.push_back(std::move(t.stats));
  }
  return out;
}

}  // namespace gauntlet::deploy
