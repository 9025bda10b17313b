#include "exec/fake_runner.h"

#include <algorithm>
#include <csignal>

namespace gauntlet::exec {

Result<ProcId> FakeRunner::Start(const SpawnRequest& request) {
  Started s{std::string(request.script),
            std::string(request.shell),
            std::string(request.working_directory),
            {},
            clock_->Now()};
  for (char* const* e = request.envp; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    s.env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  started_.push_back(std::move(s));
  FakeOutcome outcome = behaviour_(request);
  if (outcome.exit_code == 127 && outcome.output == "spawn-error") {
    return Error{"spawn failed (fake)"};
  }
  Proc p;
  p.start = clock_->Now();
  p.outcome = std::move(outcome);
  p.end = p.outcome.hang ? TimePoint::max() : p.start + p.outcome.duration;
  if (request.timeout.count() > 0 && p.start + request.timeout < p.end) {
    p.end = p.start + request.timeout;
    p.timed_out = true;
  }
  ProcId id = next_++;
  procs_[id] = std::move(p);
  max_running_ = std::max(max_running_, running());
  return id;
}

void FakeRunner::Cancel(ProcId id) {
  auto it = procs_.find(id);
  if (it == procs_.end()) return;
  it->second.cancelled = true;
  it->second.end = clock_->Now();
}

Status FakeRunner::Poll(TimePoint deadline, Delegate* delegate) {
  if (signal_) {
    signal_ = false;
    delegate->OnCancelSignal();
    return Ok();
  }
  if (woken_) {
    woken_ = false;
    return Ok();
  }
  TimePoint next = deadline;
  for (auto& [id, p] : procs_) next = std::min(next, p.end);
  if (next == TimePoint::max()) return Error{"fake runner: Poll would block forever"};
  if (next > clock_->Now()) clock_->Set(next);
  // Finish everything due now, in id order (deterministic).
  std::vector<ProcId> due;
  for (auto& [id, p] : procs_) {
    if (p.end <= clock_->Now()) due.push_back(id);
  }
  for (ProcId id : due) {
    Proc p = std::move(procs_[id]);
    procs_.erase(id);
    AttemptResult r;
    r.wall = std::chrono::duration_cast<Micros>(clock_->Now() - p.start);
    r.user_cpu = r.wall / 2;
    r.max_rss_kb = 1000;
    if (p.cancelled || p.timed_out) {
      r.signal = SIGTERM;
      r.timed_out = p.timed_out && !p.cancelled;
      r.cancelled = p.cancelled;
    } else {
      r.exit_code = p.outcome.exit_code;
    }
    if (!p.outcome.output.empty()) delegate->OnOutput(id, p.outcome.output);
    delegate->OnExit(id, r);
  }
  return Ok();
}

}  // namespace gauntlet::exec
