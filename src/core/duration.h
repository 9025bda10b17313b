// Durations as written in pipeline files: "500ms", "10s", "5m", "1h", "1m30s".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gauntlet {

using Duration = std::chrono::milliseconds;

// Parses a duration; the error message says what would be valid.
Result<Duration> ParseDuration(std::string_view text);

// What a valid spelling of `text` would be, for error hints ("add a unit: 10s").
std::string DurationHint(std::string_view text);

// The shortest exact spelling that ParseDuration reads back ("1m30s", "250ms", "0s").
std::string FormatDuration(Duration d);

// For people, rounded: "850ms", "12.3s", "4m05s", "1h02m".
std::string HumanDuration(int64_t ms);

}  // namespace gauntlet
