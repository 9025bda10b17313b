// Byte counts and ages as the cache and artifact commands show them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::cli {

// "512 B", "1.5 KiB", "12.0 MiB", "3.25 GiB".
std::string HumanBytes(uint64_t bytes);

// An age for --older-than: "7d", "36h", "90m", "1d12h" (days, then core/duration.h units).
Result<Duration> ParseAge(std::string_view text);

}  // namespace gauntlet::cli
