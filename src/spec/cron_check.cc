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

// Sets bits[v] for every value v the item covers (bits may be null: only check).
std::optional<CronProblem> CheckItem(std::string_view item, size_t offset, const Field& f,
                                     std::bitset<60>* bits) {
  auto bad = [&](std::string msg) {
    return CronProblem{offset, std::move(msg),
                       std::string(f.name) + " takes " + std::to_string(f.min) + "-" +
                           std::to_string(f.max) + ", *, */n, a-b or a-b/n"};
  };
  std::string_view range = item;
  int step = 1;
  size_t slash = item.find('/');
  if (slash != std::string_view::npos) {
    range = item.substr(0, slash);
    std::string_view s = item.substr(slash + 1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || step < 1)
      return bad("bad step '" + std::string(s) + "' in " + f.name);
  }
  auto cover = [&](int lo, int hi) {
    for (int v = lo; bits && v <= hi; v += step) bits->set(v == 7 && f.max == 7 ? 0 : v);
    return std::nullopt;
  };
  if (range == "*") return cover(f.min, f.max == 7 ? 6 : f.max);
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
  // `5/15` is 5, 20, 35, 50: a lone value with a step runs to the field's end.
  if (slash != std::string_view::npos && dash == std::string_view::npos) hi = f.max;
  return cover(lo, hi);
}

template <size_t N>
void CopyBits(const std::bitset<60>& from, std::bitset<N>* to) {
  for (size_t i = 0; i < N; ++i) (*to)[i] = from[i];
}

}  // namespace

std::optional<CronProblem> CheckCron(std::string_view expr, CronFields* out) {
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
  std::bitset<60> bits[5];
  for (size_t f = 0; f < 5; ++f) {
    auto [text, offset] = fields[f];
    size_t pos = 0;
    for (;;) {
      size_t comma = text.find(',', pos);
      std::string_view item =
          text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
      if (auto p = CheckItem(item, offset + pos, kFields[f], &bits[f])) return p;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  if (out) {
    CopyBits(bits[0], &out->minute);
    CopyBits(bits[1], &out->hour);
    CopyBits(bits[2], &out->day_of_month);
    CopyBits(bits[3], &out->month);
    CopyBits(bits[4], &out->day_of_week);
    out->day_of_month_any = fields[2].first[0] == '*';
    out->day_of_week_any = fields[4].first[0] == '*';
  }
  return std::nullopt;
}

}  // namespace gauntlet::spec
