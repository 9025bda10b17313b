#include "deploy/health.h"

#include <algorithm>
#include <utility>

#include "deploy/http_get.h"
#include "deploy/tcp_connect.h"

namespace gauntlet::deploy {

ProbeFn MakeProbe(const spec::HealthCheck& check, CommandRunner run) {
  if (check.type == "http") {
    return [url = check.url, want = check.expect_status, timeout = check.timeout] {
      auto r = HttpGet(url, timeout, 4096);
      if (!r) return ProbeOutcome{false, r.error().message};
      return ProbeOutcome{r->status == want, "HTTP " + std::to_string(r->status)};
    };
  }
  if (check.type == "tcp") {
    return [address = check.address, timeout = check.timeout] {
      Status s = TcpConnect(address, timeout);
      return s ? ProbeOutcome{true, "connected"} : ProbeOutcome{false, s.error().message};
    };
  }
  if (check.type == "command") {
    return [command = check.command, timeout = check.timeout, run = std::move(run)] {
      auto r = run(CommandRequest{ShellArgv(command, "gauntlet-health"), {}, timeout});
      if (!r) return ProbeOutcome{false, r.error().message};
      if (r->timed_out) return ProbeOutcome{false, "timed out"};
      return ProbeOutcome{r->exit_code == 0, "exit " + std::to_string(r->exit_code)};
    };
  }
  // No check configured: the target is taken as healthy (documented).
  return [] { return ProbeOutcome{true, "no health check"}; };
}

HealthCounter::HealthCounter(const spec::HealthCheck& check)
    : success_threshold_(std::max(1, check.success_threshold)),
      failure_threshold_(std::max(1, check.failure_threshold)) {}

HealthCounter::State HealthCounter::Observe(bool ok) {
  if (ok) {
    failures_ = 0;
    if (++successes_ >= success_threshold_) state_ = State::kHealthy;
  } else {
    successes_ = 0;
    if (++failures_ >= failure_threshold_) state_ = State::kUnhealthy;
  }
  return state_;
}

HealthResult WaitHealthy(const spec::HealthCheck& check, const ProbeFn& probe, Clock& clock,
                         int max_probes) {
  if (max_probes <= 0) {
    max_probes = 10 * (std::max(1, check.success_threshold) + std::max(1, check.failure_threshold));
  }
  HealthCounter counter(check);
  HealthResult result;
  clock.SleepFor(check.initial_delay);
  while (true) {
    TimePoint started = clock.Now();
    ProbeOutcome outcome = probe();
    ++result.probes;
    result.last_detail = outcome.detail;
    switch (counter.Observe(outcome.ok)) {
      case HealthCounter::State::kHealthy:
        result.healthy = true;
        return result;
      case HealthCounter::State::kUnhealthy:
        return result;
      case HealthCounter::State::kUnknown:
        break;
    }
    if (result.probes >= max_probes) {
      result.last_detail = "did not settle after " + std::to_string(result.probes) +
                           " probes (last: " + outcome.detail + ")";
      return result;
    }
    // Period is start to start: a slow probe eats into the wait, never adds to it.
    auto spent = std::chrono::duration_cast<Duration>(clock.Now() - started);
    clock.SleepFor(std::max(Duration::zero(), check.period - spent));
  }
}

}  // namespace gauntlet::deploy
