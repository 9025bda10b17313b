#include "plan/ready.h"

#include <algorithm>

namespace gauntlet::plan {

ReadyTracker::ReadyTracker(const Plan& plan)
    : plan_(plan),
      pending_needs_(plan.jobs.size()),
      chain_(plan.jobs.size(), 1),
      finished_(plan.jobs.size()),
      queued_(plan.jobs.size()) {
  // Jobs are topologically sorted, so walking backwards sees dependents first.
  for (size_t i = plan.jobs.size(); i-- > 0;) {
    for (JobId d : plan.jobs[i].dependents) chain_[i] = std::max(chain_[i], chain_[d] + 1);
  }
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    pending_needs_[i] = static_cast<int>(plan.jobs[i].needs.size());
    if (pending_needs_[i] == 0) Push(static_cast<JobId>(i));
  }
}

void ReadyTracker::Push(JobId id) {
  if (queued_[id]) return;
  queued_[id] = true;
  heap_.push_back(id);
  std::push_heap(heap_.begin(), heap_.end(), [this](JobId a, JobId b) { return Behind(a, b); });
}

bool ReadyTracker::Behind(JobId a, JobId b) const {
  // Max-heap on chain length; lower id first on ties (file order).
  return chain_[a] != chain_[b] ? chain_[a] < chain_[b] : a > b;
}

void ReadyTracker::Finish(JobId id) {
  if (finished_[id]) return;
  finished_[id] = true;
  ++finished_count_;
  for (JobId d : plan_.jobs[id].dependents) {
    if (--pending_needs_[d] == 0) Push(d);
  }
}

bool ReadyTracker::PopReady(JobId* id) {
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), [this](JobId a, JobId b) { return Behind(a, b); });
    JobId top = heap_.back();
    heap_.pop_back();
    if (!finished_[top]) {
      *id = top;
      return true;
    }
  }
  return false;
}

}  // namespace gauntlet::plan
