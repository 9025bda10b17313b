#include "core/clock.h"

#include <thread>

namespace gauntlet {

int64_t SystemClock::UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::SleepFor(Duration d) {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

Clock& RealClock() {
  static SystemClock clock;  // stateless: not mutable global state
  return clock;
}

}  // namespace gauntlet
