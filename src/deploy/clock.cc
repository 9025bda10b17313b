#include "deploy/clock.h"

#include <thread>

namespace gauntlet::deploy {

void SystemClock::SleepFor(Duration d) {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

}  // namespace gauntlet::deploy
