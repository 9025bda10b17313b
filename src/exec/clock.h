// The time seam: the scheduler and the runner read "now" only through a Clock, so tests
// can drive time by hand (a fake runner advances a ManualClock instead of sleeping).
#pragma once

#include <chrono>

namespace gauntlet::exec {

using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
};

// The monotonic system clock. Stateless, so one shared instance is not mutable state.
Clock* SystemClock();

// A clock that only moves when told to.
class ManualClock : public Clock {
 public:
  TimePoint Now() override { return now_; }
  void Advance(std::chrono::nanoseconds d) { now_ += d; }
  void Set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_{};
};

}  // namespace gauntlet::exec
