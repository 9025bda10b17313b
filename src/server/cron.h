// When a cron schedule fires: the 5-field expressions of `on: schedule`, each in its time
// zone (UTC by default; IANA names through cctz and the system's tzdata).
//
// Rules (docs/server.md, "Schedules"): fields match as cron's (`*`, values, ranges,
// steps, lists, names); when both day-of-month and day-of-week are restricted (neither
// starts with `*`), a day matching either fires. Civil times are read in the zone: a time
// the clocks skip (spring forward) fires once, at the moment of the jump; a time that
// happens twice (fall back) fires once, at its first occurrence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <cctz/time_zone.h>

#include "core/result.h"
#include "spec/cron_check.h"

namespace gauntlet::server {

class CronSchedule {
 public:
  // kInvalid for a bad expression or an unknown zone ("" or "UTC" is UTC).
  static Result<CronSchedule> Parse(const std::string& expr, const std::string& zone);

  // The first fire time strictly after `after_s` (Unix seconds); nullopt when it never
  // fires in the next eight years (e.g. "0 0 30 2 *").
  std::optional<int64_t> NextAfter(int64_t after_s) const;
  // The last fire time in (after_s, until_s]; nullopt when none. How a schedule missed
  // while the server was down fires once, for its latest slot.
  std::optional<int64_t> LastIn(int64_t after_s, int64_t until_s) const;

 private:
  bool DayMatches(const cctz::civil_day& d) const;
  spec::CronFields fields_;
  cctz::time_zone zone_;
};

}  // namespace gauntlet::server
