#include "server/cron.h"

#include <algorithm>
#include <chrono>

#include <cctz/civil_time.h>

namespace gauntlet::server {
namespace {

using Seconds = cctz::time_point<cctz::seconds>;

Seconds At(int64_t unix_s) {
  return Seconds(cctz::seconds(unix_s));
}

int64_t Unix(Seconds t) { return t.time_since_epoch().count(); }

int Weekday(const cctz::civil_day& d) {  // 0 is Sunday, as in cron
  switch (cctz::get_weekday(d)) {
    case cctz::weekday::sunday: return 0;
    case cctz::weekday::monday: return 1;
    case cctz::weekday::tuesday: return 2;
    case cctz::weekday::wednesday: return 3;
    case cctz::weekday::thursday: return 4;
    case cctz::weekday::friday: return 5;
    case cctz::weekday::saturday: return 6;
  }
  return 0;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(const std::string& expr, const std::string& zone) {
  CronSchedule s;
  if (auto problem = spec::CheckCron(expr, &s.fields_))
    return Error::Invalid("cron \"" + expr + "\": " + problem->message);
  if (zone.empty() || zone == "UTC") {
    s.zone_ = cctz::utc_time_zone();
  } else if (!cctz::load_time_zone(zone, &s.zone_)) {
    return Error::Invalid("unknown time zone '" + zone + "'");
  }
  return s;
}

bool CronSchedule::DayMatches(const cctz::civil_day& d) const {
  const bool dom = fields_.day_of_month[d.day()];
  const bool dow = fields_.day_of_week[Weekday(d)];
  if (!fields_.day_of_month_any && !fields_.day_of_week_any) return dom || dow;
  return dom && dow;
}

std::optional<int64_t> CronSchedule::NextAfter(int64_t after_s) const {
  // Walk civil time in the zone, skipping a whole month, day or hour at a time when that
  // field does not match, so even a yearly schedule takes a few hundred steps.
  cctz::civil_minute c = cctz::civil_minute(cctz::convert(At(after_s), zone_)) + 1;
  const auto last_year = c.year() + 8;
  while (c.year() <= last_year) {
    if (!fields_.month[c.month()]) {
      c = cctz::civil_minute(cctz::civil_month(c) + 1);
    } else if (!DayMatches(cctz::civil_day(c))) {
      c = cctz::civil_minute(cctz::civil_day(c) + 1);
    } else if (!fields_.hour[c.hour()]) {
      c = cctz::civil_minute(cctz::civil_hour(c) + 1);
    } else if (!fields_.minute[c.minute()]) {
      c += 1;
    } else {
      // A skipped civil time maps to the jump, a repeated one to its first occurrence;
      // both can lie at or before `after`, which then already fired.
      const int64_t t = Unix(cctz::convert(cctz::civil_second(c), zone_));
      if (t > after_s) return t;
      c += 1;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> CronSchedule::LastIn(int64_t after_s, int64_t until_s) const {
  // Only the last slot matters; a server down for years need not walk them all.
  constexpr int64_t kLookBack = 400LL * 24 * 3600;
  std::optional<int64_t> last;
  int64_t from = std::max(after_s, until_s - kLookBack);
  while (auto next = NextAfter(from)) {
    if (*next > until_s) break;
    last = *next;
    from = *next;
  }
  return last;
}

}  // namespace gauntlet::server
