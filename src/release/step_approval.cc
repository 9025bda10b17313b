// Step "approval" (release.approval: wait): the gate said needs-approval, so the release
// asks a person through an approval request of kind `release` (store/approvals.h) and
// waits for the decision. Approved, it goes on; denied or expired, it ends `denied` with
// no tag. Killed while waiting, a re-run reaches the same request (one per identity,
// pipeline, package, commit and version) and waits on it, or uses the decision made
// meanwhile. A caller that may not wait (a server's schedule) leaves the request pending
// and ends needs_approval. Not recorded at all when nobody has to approve.
#include <fmt/core.h>

#include "release/approval_wait.h"
#include "release/flow.h"

namespace gauntlet::release {

Status Approval(Flow& f) {
  if (f.approval_needed.empty()) return Ok();
  f.Begin("approval");
  auto book = store::ApprovalBook::Open(f.req.workspace.db_path());
  if (!book.ok()) return book.error();
  ApprovalWait w;
  w.action.kind = "release";
  w.action.pipeline = f.state.pipeline;
  w.action.environment = f.state.package;
  w.action.commit = f.state.head;
  w.action.version = f.state.version;
  w.action.requested_by = f.identity;
  w.clock = f.clock;
  w.poll = f.req.approval_poll;
  w.wait = f.req.may_wait;
  w.cancelled = f.req.cancelled;
  w.print = [&f](const std::string& line) { f.Print(line); };
  Status noted = Ok();
  w.on_pending = [&f, &noted](const store::ApprovalRecord& r) {
    noted = f.Note(
        "approval",
        fmt::format("waiting for approval {}: a person runs `gauntlet approve {}` (or "
                    "`gauntlet approve {} --deny`); the gate: {}; expires {}",
                    r.id, r.id, r.id, f.approval_needed,
                    FormatUtc(r.requested_ms + store::kApprovalTtlMs, "%Y-%m-%d %H:%M UTC")));
  };
  auto decided = WaitForApproval(**book, w);
  if (!noted.ok()) return noted;
  if (!decided.ok()) {
    (void)f.End("approval", "failed", decided.error().message);
    return decided.error();
  }
  const std::string line = DecisionLine(*decided);
  if (decided->state == "approved") return f.End("approval", "ok", line);
  if (decided->state == "pending") {  // a caller that may not wait: the next release goes on
    f.state.status = "needs_approval";
    f.state.reason = fmt::format(
        "approval {} pending: a person runs `gauntlet approve {}`; the next release of this "
        "commit goes on once it is approved",
        decided->id, decided->id);
    return f.End("approval", "failed", f.state.reason);
  }
  f.state.status = "denied";
  f.state.reason = line + ": no tag was made";
  return f.End("approval", "failed", line);
}

}  // namespace gauntlet::release
