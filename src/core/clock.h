// The one time seam: every layer reads the time and waits only through a Clock, passed
// down from whoever starts the work (the engine's request, a test). Tests drive time by
// hand with a FakeClock, so deploy waits and scheduler timers run in milliseconds; only
// the real binary uses the system clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/duration.h"

namespace gauntlet {

using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for deadlines, timeouts and measured durations.
  virtual TimePoint Now() = 0;
  // Wall-clock milliseconds since the Unix epoch: what records in the store carry.
  virtual int64_t UnixMs() = 0;
  // Returns after `d` (at once for zero or less).
  virtual void SleepFor(Duration d) = 0;
};

// The system's clocks. Stateless: one instance may be shared by every thread.
class SystemClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  int64_t UnixMs() override;
  void SleepFor(Duration d) override;
};

// A shared SystemClock, for callers that are given no clock.
Clock& RealClock();

// Time that moves only when slept on, advanced or set: deterministic tests. Thread-safe
// (a run's threads may share one).
class FakeClock : public Clock {
 public:
  // Wall time at construction: 2023-11-14 22:13:20 UTC, so records are reproducible.
  static constexpr int64_t kStartUnixMs = 1'700'000'000'000;

  TimePoint Now() override { return TimePoint{} + std::chrono::nanoseconds(ns_.load()); }
  int64_t UnixMs() override { return kStartUnixMs + ns_.load() / 1'000'000; }
  void SleepFor(Duration d) override {
    if (d > Duration::zero()) Advance(d);
  }
  void Advance(std::chrono::nanoseconds d) { ns_ += d.count(); }
  void Set(TimePoint t) { ns_ = t.time_since_epoch().count(); }
  // Time slept or advanced since construction.
  Duration Elapsed() const {
    return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(ns_.load()));
  }

 private:
  std::atomic<int64_t> ns_{0};
};

}  // namespace gauntlet
