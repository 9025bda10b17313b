// One HTTP POST of a body through libcurl: what notifications send (engine/notify.h).
// Proxies from the environment are honoured, as curl does.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::deploy {

struct PostResponse {
  long status = 0;
  // The answer's Retry-After (seconds, or an HTTP date made relative), -1 when absent.
  int64_t retry_after_s = -1;
  Duration elapsed{0};
};

// An Error for transport failures (refused, timeout, bad URL); any HTTP status is a value.
// The error names no URL: the caller knows which one it was, and may have to mask it.
Result<PostResponse> HttpPost(const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body, Duration timeout);

}  // namespace gauntlet::deploy
