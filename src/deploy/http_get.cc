#include "deploy/http_get.h"

#include <chrono>
#include <memory>

#include "deploy/libcurl.h"

namespace gauntlet::deploy {
namespace {

struct Sink {
  std::string* body;
  size_t cap;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  size_t room = sink->cap - std::min(sink->cap, sink->body->size());
  sink->body->append(data, std::min(room, len));
  return len;  // keep reading past the cap: the status is what matters
}

}  // namespace

Result<HttpResponse> HttpGet(const std::string& url, Duration timeout, size_t max_body) {
  auto api = Curl();
  if (!api.ok()) return api.error();
  const CurlApi& c = **api;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(c.easy_init(), c.easy_cleanup);
  if (!curl) return Error{"curl_easy_init failed"};
  HttpResponse response;
  Sink sink{&response.body, max_body};
  char err[CURL_ERROR_SIZE] = {0};
  c.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  c.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  c.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  c.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Write);
  c.easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  c.easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, err);
  c.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = c.easy_perform(curl.get());
  response.elapsed = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
  if (rc != CURLE_OK) {
    return Error{"GET " + url + ": " + (err[0] ? std::string(err) : c.easy_strerror(rc))};
  }
  c.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace gauntlet::deploy
