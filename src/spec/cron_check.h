// Validation of 5-field cron expressions ("0 3 * * 1-5") as written under `on: schedule`.
// Only checks; the trigger layer computes the fire times.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::spec {

struct CronProblem {
  size_t offset = 0;  // byte offset in the expression of the bad field
  std::string message;
  std::string hint;
};

// nullopt when `expr` is valid: minute hour day-of-month month day-of-week, each `*`,
// `*/n`, a value, a range `a-b`, a stepped range `a-b/n`, or a comma list of those.
// Months and weekdays may be named (jan, mon); weekday 7 is Sunday as 0 is.
std::optional<CronProblem> CheckCron(std::string_view expr);

}  // namespace gauntlet::spec
