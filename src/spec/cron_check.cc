#include "spec/cron_check.h"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace gauntlet::spec {
namespace {

struct Field {
  const char* name;
  int min, max;
  std::array<const char*, 12> names;  // names[i] is value min+i (weekdays from 0)
};

constexpr Field kFields[5] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

constexpr const char* kShape =
    "cron is 5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * 1-5\"";

bool Value(std::string_view s, const Field& f, int* out) {
  if (s.empty()) return false;
  if (std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < f.names.size(); ++i) {
      if (f.names[i] && lower == f.names[i]) {
        *out = f.min == 1 ? static_cast<int>(i) + 1 : static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<CronProblem> CheckItem(std::string_view item, size_t offset, const Field& f) {
  auto bad = [&](std::string msg) {
    return CronProblem{offset, std::move(msg),
                       std::string(f.name) + " takes " + std::to_string(f.min) + "-" +
                           std::to_string(f.max) + ", *, */n, a-b or a-b/n"};
  };
  std::string_view range = item;
  size_t slash = item.find('/');
  if (slash != std::string_view::npos) {
    range = item.substr(0, slash);
    int step = 0;
    std::string_view s = item.substr(slash + 1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || step < 1)
      return bad("bad step '" + std::string(s) + "' in " + f.name);
  }
  if (range == "*") return std::nullopt;
  size_t dash = range.find('-');
  std::string_view lo_text = range.substr(0, dash);
  int lo = 0, hi = 0;
  if (!Value(lo_text, f, &lo))
    return bad("bad " + std::string(f.name) + " '" + std::string(item) + "'");
  hi = lo;
  if (dash != std::string_view::npos && !Value(range.substr(dash + 1), f, &hi))
    return bad("bad " + std::string(f.name) + " '" + std::string(item) + "'");
  if (lo < f.min || lo > f.max || hi < f.min || hi > f.max)
    return bad(std::string(f.name) + " '" + std::string(range) + "' is out of range");
  if (hi < lo) return bad("range '" + std::string(range) + "' in " + f.name + " runs backwards");
  return std::nullopt;
}

}  // namespace

std::optional<CronProblem> CheckCron(std::string_view expr) {
  std::vector<std::pair<std::string_view, size_t>> fields;
  size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    size_t start = i;
    while (i < expr.size() && !std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    if (i > start) fields.emplace_back(expr.substr(start, i - start), start);
  }
  if (fields.size() != 5)
    return CronProblem{
        0, "cron expression has " + std::to_string(fields.size()) + " fields, expected 5", kShape};
  for (size_t f = 0; f < 5; ++f) {
    auto [text, offset] = fields[f];
    size_t pos = 0;
    for (;;) {
      size_t comma = text.find(',', pos);
      std::string_view item =
          text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
      if (auto p = CheckItem(item, offset + pos, kFields[f])) return p;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  return std::nullopt;
}

}  // namespace gauntlet::spec
