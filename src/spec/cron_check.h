// Validation of 5-field cron expressions ("0 3 * * 1-5") as written under `on: schedule`.
// Only checks; the trigger layer computes the fire times.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::spec {

struct CronProblem {
  size_t offset = 0;  // byte offset in the expression of the bad field
  std::string message;
  std::string hint;
};

// What a valid expression matches, a bit per value (month bits 1-12, day-of-month 1-31,
// weekday 0-6 with 0 Sunday). `*_any`: the field starts with `*`, which matters for the
// day rule (cron's own: when both day fields are restricted, a day matching either fires).
struct CronFields {
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> day_of_month;
  std::bitset<13> month;
  std::bitset<7> day_of_week;
  bool day_of_month_any = false, day_of_week_any = false;
};

// nullopt when `expr` is valid: minute hour day-of-month month day-of-week, each `*`,
// `*/n`, a value, a range `a-b`, a stepped range `a-b/n`, or a comma list of those.
// Months and weekdays may be named (jan, mon); weekday 7 is Sunday as 0 is.
// When valid and `out` is given, fills it.
std::optional<CronProblem> CheckCron(std::string_view expr, CronFields* out = nullptr);

}  // namespace gauntlet::spec
