#include "exec/clock.h"

namespace gauntlet::exec {
namespace {

class SteadyClock : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
};

}  // namespace

Clock* SystemClock() {
  static SteadyClock clock;  // stateless: not mutable global state
  return &clock;
}

}  // namespace gauntlet::exec
