#include "deploy/http_get.h"

#include <curl/curl.h>

#include <chrono>
#include <memory>

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
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Error{"curl_easy_init failed"};
  HttpResponse response;
  Sink sink{&response.body, max_body};
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl.get());
  response.elapsed = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
  if (rc != CURLE_OK) {
    return Error{"GET " + url + ": " + (err[0] ? std::string(err) : curl_easy_strerror(rc))};
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace gauntlet::deploy
