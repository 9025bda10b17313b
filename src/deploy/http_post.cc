#include "deploy/http_post.h"

#include <chrono>
#include <memory>

#include "deploy/libcurl.h"

namespace gauntlet::deploy {
namespace {

size_t DiscardBody(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

Result<PostResponse> HttpPost(const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body, Duration timeout) {
  auto api = Curl();
  if (!api.ok()) return api.error();
  const CurlApi& c = **api;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(c.easy_init(), c.easy_cleanup);
  if (!curl) return Error{"curl_easy_init failed"};
  curl_slist* list = c.slist_append(nullptr, "Content-Type: application/json");
  list = c.slist_append(list, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : headers) list = c.slist_append(list, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> owned(list, c.slist_free_all);
  c.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  c.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  c.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  c.easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  c.easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  c.easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  c.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &DiscardBody);
  c.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  c.easy_setopt(curl.get(), CURLOPT_USERAGENT, "gauntlet");
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = c.easy_perform(curl.get());
  PostResponse response;
  response.elapsed =
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
  if (rc != CURLE_OK) {
    // curl's buffer may quote the URL (a bad one, a host not found): the code's text
    // names only what went wrong.
    return Error{c.easy_strerror(rc)};
  }
  c.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t retry = -1;
  // 0 when the answer had none.
  if (c.easy_getinfo(curl.get(), CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
    response.retry_after_s = static_cast<int64_t>(retry);
  return response;
}

}  // namespace gauntlet::deploy
