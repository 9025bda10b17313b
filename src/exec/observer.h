// What the scheduler reports while it runs a plan. The store, the terminal progress and
// live-log subscribers implement it. Called on the scheduler's thread only.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "exec/results.h"
#include "plan/plan.h"

namespace gauntlet::exec {

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnRunStarted(const plan::Plan& plan) {}
  // attempt is 1-based. Deploy nodes get one "attempt" too.
  virtual void OnJobStarted(const plan::PlannedJob& job, int attempt) {}
  // Combined stdout+stderr, already masked, in arrival order (not line-aligned).
  virtual void OnOutput(const plan::PlannedJob& job, int attempt, std::string_view bytes) {}
  virtual void OnAttemptFinished(const plan::PlannedJob& job, int attempt,
                                 const AttemptResult& result) {}
  // Every job gets exactly one call, also when skipped, cancelled or resumed
  // (result.resumed: carried over from a previous run, already stored).
  virtual void OnJobFinished(const plan::PlannedJob& job, const JobResult& result) {}
  virtual void OnRunFinished(const RunResult& result) {}
  // The commit point: called before a job is spawned whose needs reported results since
  // the last call, and otherwise at most SchedulerOptions::max_commit_delay after a
  // result, so a store writes many events in one transaction and a job's result is
  // durable before any of its dependents starts.
  virtual void Flush() {}
  // The scheduler is about to wait for events (a child's output or exit, a timer):
  // an observer that collects terminal output during a turn writes it now.
  virtual void Idle() {}
  // Whether the run can still be recorded: an error (a commit or a log write failed, a
  // full disk) makes the scheduler start nothing more, stop the jobs running and end
  // the run failed with this reason. Asked after each commit point and each turn.
  virtual Status RecordingStatus() const { return Ok(); }
};

// Fans events out to several observers, in order.
class ObserverList : public Observer {
 public:
  void Add(Observer* o) { list_.push_back(o); }
  void OnRunStarted(const plan::Plan& p) override {
    for (auto* o : list_) o->OnRunStarted(p);
  }
  void OnJobStarted(const plan::PlannedJob& j, int a) override {
    for (auto* o : list_) o->OnJobStarted(j, a);
  }
  void OnOutput(const plan::PlannedJob& j, int a, std::string_view b) override {
    for (auto* o : list_) o->OnOutput(j, a, b);
  }
  void OnAttemptFinished(const plan::PlannedJob& j, int a, const AttemptResult& r) override {
    for (auto* o : list_) o->OnAttemptFinished(j, a, r);
  }
  void OnJobFinished(const plan::PlannedJob& j, const JobResult& r) override {
    for (auto* o : list_) o->OnJobFinished(j, r);
  }
  void OnRunFinished(const RunResult& r) override {
    for (auto* o : list_) o->OnRunFinished(r);
  }
  void Flush() override {
    for (auto* o : list_) o->Flush();
  }
  void Idle() override {
    for (auto* o : list_) o->Idle();
  }
  Status RecordingStatus() const override {
    for (auto* o : list_) {
      if (Status s = o->RecordingStatus(); !s.ok()) return s;
    }
    return Ok();
  }

 private:
  std::vector<Observer*> list_;
};

}  // namespace gauntlet::exec
