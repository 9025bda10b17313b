// Test helper: Unix seconds of a UTC civil time, what schedule expectations are written in.
#pragma once

#include <cstdint>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

namespace gauntlet::server::testing {

inline int64_t Utc(int y, int mo, int d, int h, int mi) {
  return cctz::convert(cctz::civil_second(y, mo, d, h, mi, 0), cctz::utc_time_zone())
      .time_since_epoch()
      .count();
}

}  // namespace gauntlet::server::testing
