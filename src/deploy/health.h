// Health checks with Kubernetes-probe semantics over spec::HealthCheck.
//
// A probe is one attempt (an HTTP GET expecting a status, a TCP connect, or a command
// exiting 0), bounded by `timeout`. Probes start `initial_delay` after the wait begins
// and then every `period` (start to start). `success_threshold` consecutive successes
// make the target healthy; `failure_threshold` consecutive failures make it unhealthy.
// User documentation: docs/deploy.md.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/duration.h"
#include "core/result.h"
#include "deploy/command.h"
#include "spec/model.h"

namespace gauntlet::deploy {

struct ProbeOutcome {
  bool ok = false;
  std::string detail;  // "HTTP 503", "connect ...: Connection refused", "exit 1"
};

// One attempt of `check`. Commands go through `run` as {"/bin/sh", "-c", command}.
using ProbeFn = std::function<ProbeOutcome()>;
ProbeFn MakeProbe(const spec::HealthCheck& check, CommandRunner run);

// Consecutive-count state of one target, fed one probe outcome at a time. Pure.
class HealthCounter {
 public:
  enum class State { kUnknown, kHealthy, kUnhealthy };
  explicit HealthCounter(const spec::HealthCheck& check);
  State Observe(bool ok);
  State state() const { return state_; }

 private:
  int success_threshold_, failure_threshold_;
  int successes_ = 0, failures_ = 0;  // consecutive
  State state_ = State::kUnknown;
};

struct HealthResult {
  bool healthy = false;
  int probes = 0;
  std::string last_detail;  // of the last probe: why it is unhealthy
};

// Probes until the target is healthy or unhealthy; waits go through `clock`. A target
// that never settles (alternating results) counts as unhealthy after `max_probes`
// (0: 10 x (success_threshold + failure_threshold)).
HealthResult WaitHealthy(const spec::HealthCheck& check, const ProbeFn& probe, Clock& clock,
                         int max_probes = 0);

}  // namespace gauntlet::deploy
