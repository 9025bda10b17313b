// A deterministic ProcessRunner for tests: processes take simulated time on a
// FakeClock, and what each one prints and returns is decided by a callback.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "exec/process_runner.h"

namespace gauntlet::exec {

struct FakeOutcome {
  int exit_code = 0;
  std::string output;
  Duration duration{std::chrono::milliseconds(10)};
  bool hang = false;  // runs until timeout or Cancel
};

class FakeRunner : public ProcessRunner {
 public:
  using Behaviour = std::function<FakeOutcome(const SpawnRequest&)>;
  FakeRunner(FakeClock* clock, Behaviour behaviour) : clock_(clock), behaviour_(behaviour) {}

  // What was started, in order.
  struct Started {
    std::string script;
    std::string shell;
    std::string working_directory;
    std::map<std::string, std::string> env;
    TimePoint at;
  };
  const std::vector<Started>& started() const { return started_; }
  int max_running() const { return max_running_; }
  // Makes the next Poll deliver a cancel signal.
  void RaiseCancelSignal() { signal_ = true; }

  Result<ProcId> Start(const SpawnRequest& request) override;
  void Cancel(ProcId id) override;
  Status Poll(TimePoint deadline, Delegate* delegate) override;
  void Wake() override { woken_ = true; }
  int running() const override { return static_cast<int>(procs_.size()); }
  Clock* clock() override { return clock_; }

 private:
  struct Proc {
    TimePoint end;
    FakeOutcome outcome;
    bool timed_out = false;
    bool cancelled = false;
    TimePoint start;
  };
  FakeClock* clock_;
  Behaviour behaviour_;
  std::map<ProcId, Proc> procs_;
  std::vector<Started> started_;
  ProcId next_ = 0;
  int max_running_ = 0;
  bool woken_ = false;
  bool signal_ = false;
};

}  // namespace gauntlet::exec
