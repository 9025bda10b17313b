#include "cli/bytes.h"

#include <fmt/core.h>

#include <charconv>

namespace gauntlet::cli {

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return v < 10 ? fmt::format("{:.2f} {}", v, units[u]) : fmt::format("{:.1f} {}", v, units[u]);
}

Result<Duration> ParseAge(std::string_view text) {
  auto bad = [&] {
    return Error{"invalid age '" + std::string(text) +
                 "': write a number and a unit, e.g. 7d, 36h, 90m, 1d12h"};
  };
  Duration total{0};
  size_t d = text.find('d');
  if (d != std::string_view::npos) {
    uint64_t days = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + d, days);
    if (ec != std::errc() || end != text.data() + d || d == 0 || days > 100000) return bad();
    total = std::chrono::hours(24 * days);
    text.remove_prefix(d + 1);
    if (text.empty()) return total;
  }
  auto rest = ParseDuration(text);
  if (!rest.ok()) return bad();
  return total + *rest;
}

}  // namespace gauntlet::cli
