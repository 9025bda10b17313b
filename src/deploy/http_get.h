// One HTTP GET through libcurl: what health checks, the probe and the metric providers
// share. Proxies from the environment are honoured, as curl does.
#pragma once

#include <string>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

struct HttpResponse {
  long status = 0;
  std::string body;  // capped at max_body bytes
  Duration elapsed{0};
};

// An Error for transport failures (refused, timeout, bad URL); any HTTP status is a value.
Result<HttpResponse> HttpGet(const std::string& url, Duration timeout, size_t max_body = 1 << 20);

}  // namespace gauntlet::deploy
