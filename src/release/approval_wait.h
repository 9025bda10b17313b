// Waiting for a person's decision on a release (`release.approval: wait`, docs/release.md).
// The person decides in another process (`gauntlet approve N`), so the approvals table
// (store/approvals.h) is the only channel between the two: the waiter reads the request
// again every `poll` until it is decided or expires. Time and waiting go through the clock,
// so a fake clock walks a whole day's wait in a few reads.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/duration.h"
#include "core/result.h"
#include "store/approvals.h"

namespace gauntlet::release {

struct ApprovalWait {
  store::ApprovalRecord action;  // kind, pipeline, environment, commit, version, requested_by
  Clock* clock = nullptr;
  Duration poll = std::chrono::seconds(1);
  Duration note_every = std::chrono::minutes(10);  // "still waiting" lines
  bool wait = true;                                // false: a pending request is returned at once
  std::function<bool()> cancelled;                 // true: stop waiting (kConflict); may be empty
  // Once the request waited on is known (pending): a new one, or the one a killed waiter
  // left.
  std::function<void(const store::ApprovalRecord&)> on_pending;
  std::function<void(const std::string&)> print;  // progress lines; may be empty
};

// The decision on `w.action`: an approval (used by this call: `used_ms` set), a denial or
// an expiry. An approval given while nobody waited is used at once, and a denial already
// recorded for the same action is returned at once (it stands for that commit and
// version); otherwise the pending request is waited on, made first when there is none
// (returned pending when `!w.wait`).
Result<store::ApprovalRecord> WaitForApproval(store::ApprovalBook& book, const ApprovalWait& w);

// "approval 5 approved by alice (reviewed)": one line for people.
std::string DecisionLine(const store::ApprovalRecord& r);

}  // namespace gauntlet::release
