// Which jobs of a Plan can start: a job is ready when every job it needs is finished
// (whatever the result: deciding to run or skip it is the executor's business).
// Pure bookkeeping, no OS access. Among ready jobs, the one heading the longest
// remaining chain comes first, so the critical path is never starved by leaf jobs.
#pragma once

#include <vector>

#include "plan/plan.h"

namespace gauntlet::plan {

class ReadyTracker {
 public:
  explicit ReadyTracker(const Plan& plan);

  // Records that `id` finished; dependents whose needs are now all finished become ready.
  // Also used for results carried over from a previous run (resume). Idempotent.
  void Finish(JobId id);
  // Takes the next ready job that is not finished yet; false when there is none.
  bool PopReady(JobId* id);
  bool finished(JobId id) const { return finished_[id]; }
  bool all_finished() const { return finished_count_ == static_cast<int>(finished_.size()); }
  int finished_count() const { return finished_count_; }

 private:
  void Push(JobId id);
  // Heap order: a shorter chain below `a` than below `b`, or on a tie a later place in
  // the file, puts `a` behind `b`.
  bool Behind(JobId a, JobId b) const;

  const Plan& plan_;
  std::vector<int> pending_needs_;
  std::vector<int> chain_;  // longest chain of dependents below each job, itself included
  std::vector<bool> finished_;
  std::vector<bool> queued_;
  std::vector<JobId> heap_;
  int finished_count_ = 0;
};

}  // namespace gauntlet::plan
