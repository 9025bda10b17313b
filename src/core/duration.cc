#include "core/duration.h"

#include <fmt/core.h>

#include <cctype>
#include <cstdint>
#include <limits>

namespace gauntlet {
namespace {

// Milliseconds per unit, or 0 for an unknown unit.
int64_t UnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return 0;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return Error{"empty duration"};
  if (AllDigits(text)) return Error{"duration '" + std::string(text) + "' has no unit"};
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 4;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      int digit = text[i] - '0';
      if (n > (kMax - digit) / 10)
        return Error{"duration '" + std::string(text) + "' is too large"};
      n = n * 10 + digit;
      ++i;
    }
    if (i == start) return Error{"bad duration '" + std::string(text) + "'"};
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    int64_t unit = UnitMillis(text.substr(unit_start, i - unit_start));
    if (unit == 0) {
      if (unit_start == i) return Error{"bad duration '" + std::string(text) + "'"};
      return Error{"unknown unit '" + std::string(text.substr(unit_start, i - unit_start)) +
                   "' in duration '" + std::string(text) + "'"};
    }
    if (n > kMax / unit || total > kMax - n * unit)
      return Error{"duration '" + std::string(text) + "' is too large"};
    total += n * unit;
  }
  return Duration{total};
}

std::string DurationHint(std::string_view text) {
  if (AllDigits(text)) return "add a unit: " + std::string(text) + "s";
  return "durations look like 500ms, 10s, 5m, 1h or 1m30s";
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms < 0) return "-" + FormatDuration(Duration{-ms});
  if (ms == 0) return "0s";
  std::string composite;
  int64_t rest = ms;
  const std::pair<int64_t, const char*> units[] = {
      {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [size, name] : units) {
    if (rest >= size) {
      composite += std::to_string(rest / size) + name;
      rest %= size;
    }
  }
  std::string plain = std::to_string(ms) + "ms";
  return plain.size() < composite.size() ? plain : composite;
}

std::string HumanDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{}.{}s", ms / 1000, (ms % 1000) / 100);
  int64_t s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace gauntlet
