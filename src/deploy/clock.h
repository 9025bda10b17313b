// The deploy layer's time seam: every wait between probes or steps goes through a Clock,
// so unit tests run on a FakeClock (STYLE habit 4) and only the real binary waits.
#pragma once

#include <chrono>

#include "core/duration.h"

namespace gauntlet::deploy {

using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  virtual void SleepFor(Duration d) = 0;
};

// Real monotonic time. Stateless, so one per caller is fine.
class SystemClock : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override;
};

// Time that moves only when slept on (or Advance()d): deterministic tests.
class FakeClock : public Clock {
 public:
  TimePoint Now() override { return now_; }
  void SleepFor(Duration d) override { now_ += d; }
  void Advance(Duration d) { now_ += d; }
  // Time slept or advanced since construction.
  Duration Elapsed() const { return std::chrono::duration_cast<Duration>(now_ - TimePoint{}); }

 private:
  TimePoint now_{};
};

}  // namespace gauntlet::deploy
