// Finding a JSON document inside a log that may carry other lines around it
// (npm banners, "error: ..." summaries).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace gauntlet::gate {

// The first JSON value of the wanted type (array or object) that starts at the
// beginning of a line and parses to the end of the log or of its line; a
// discarded value when there is none.
nlohmann::json FindJsonInLog(std::string_view log, nlohmann::json::value_t type);

}  // namespace gauntlet::gate

namespace gauntlet::gate {

// j[key] when j is an object holding key, else null: const operator[] on a
// missing key is undefined behaviour in nlohmann::json, and tool output is
// untrusted.
const nlohmann::json& Field(const nlohmann::json& j, const char* key);

}  // namespace gauntlet::gate
