// A metric read from a web endpoint returning JSON, at `json_path`:
//   a JSON pointer ("/data/0/rate") or a dotted path ("data.items[0].rate",
//   "data.items.0.rate", an optional leading "$.").
// A number (or numeric string) becomes a number; other strings and booleans are kept
// for the condition; null -> inconclusive; a missing path, non-2xx status, bad JSON or
// transport failure -> provider error.
#pragma once

#include <string>

#include "core/duration.h"
#include "deploy/measurement.h"

namespace gauntlet::deploy {

MetricSample QueryWeb(const std::string& url, const std::string& json_path, Duration timeout);

// The value at `path` in `doc`, or nullptr when absent. Pure.
const nlohmann::json* FindJsonPath(const nlohmann::json& doc, const std::string& path);

}  // namespace gauntlet::deploy
