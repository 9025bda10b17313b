// The scheduler's side of job concurrency groups (spec::Job::concurrency): a job that
// passed its `if:` joins its group before it may start; the group's files are shared by
// every run of the state directory (exec/job_concurrency.h, docs/running.md).
#include <algorithm>

#include "exec/scheduler.h"
#include "spec/expr.h"

namespace gauntlet::exec {

using plan::JobId;

bool Scheduler::Drop(std::vector<JobId>& list, JobId id) {
  auto it = std::find(list.begin(), list.end(), id);
  if (it == list.end()) return false;
  list.erase(it);
  return true;
}

bool Scheduler::EnterGroup(JobId id) {
  const plan::PlannedJob& job = plan_.jobs[id];
  if (!job.spec || job.spec->concurrency.group.empty()) return true;
  auto fail = [&](const std::string& message) {
    JobResult r;
    r.state = JobState::kFailed;
    r.reason = masker_.MaskString(message);
    r.continued_on_error = job.continue_on_error;
    Finish(id, std::move(r));
    return false;
  };
  // Rendered when the job is about to start, with its contexts (matrix, needs, ...).
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(job.spec->concurrency.group, &t, &err))
    return fail("concurrency group: " + err.message);
  spec::EvalContext ctx;
  ctx.contexts = Contexts(id);
  Result<std::string> rendered = t.Render(ctx);
  if (!rendered.ok()) return fail("concurrency group: " + rendered.error().message);
  if (rendered->empty()) return true;  // `${{ }}` of nothing: no group, as on GitHub
  const std::string name = masker_.MaskString(*rendered);
  if (!concurrency_) {
    // Without a directory shared with other engines, the groups are this run's only.
    std::string dir = !options_.concurrency_dir.empty() ? options_.concurrency_dir
                      : !options_.state_dir.empty()     ? options_.state_dir + "/concurrency"
                                                        : options_.run_dir + "/concurrency";
    concurrency_ = std::make_unique<ConcurrencyGroups>(std::move(dir), [this] { runner_->Wake(); });
  }
  Result<ConcurrencyGroups::Ticket> ticket =
      concurrency_->Enter(*rendered, job.spec->concurrency.cancel_in_progress,
                          "run " + options_.run_id + ", job " + job.name);
  if (!ticket.ok()) return fail("concurrency group '" + name + "': " + ticket.error().message);
  conc_ticket_[id] = *ticket;
  conc_group_[id] = "concurrency group '" + name + "'";
  conc_note_[id] = conc_group_[id];
  if (concurrency_->Check(*ticket) == ConcurrencyGroups::State::kHeld) return true;
  const std::string holder = concurrency_->Holder(*ticket);
  conc_note_[id] += ": waited for " + (holder.empty() ? std::string("another job") : holder);
  conc_waiting_.push_back(id);
  return false;
}

void Scheduler::HandleGroupChanges() {
  conc_check_ = false;
  using State = ConcurrencyGroups::State;
  for (size_t i = 0; i < conc_waiting_.size();) {
    const JobId id = conc_waiting_[i];
    const State state = concurrency_->Check(conc_ticket_[id]);
    if (state == State::kWaiting) {
      ++i;
      continue;
    }
    conc_waiting_.erase(conc_waiting_.begin() + static_cast<long>(i));
    if (state != State::kReplaced) {
      conc_ready_.push_back(id);
      continue;
    }
    conc_cancelled_ = true;
    JobResult r;
    r.state = JobState::kCancelled;
    r.reason = "a newer job of its " + conc_group_[id] + " took its place";
    Finish(id, std::move(r));
  }
  // Holders a newer job (cancel-in-progress) asked to stop.
  for (JobId id = 0; id < static_cast<JobId>(plan_.jobs.size()); ++id) {
    if (conc_ticket_[id] < 0 || !conc_stopped_[id].empty() || tracker_.finished(id)) continue;
    if (std::find(conc_waiting_.begin(), conc_waiting_.end(), id) != conc_waiting_.end()) continue;
    if (concurrency_->Check(conc_ticket_[id]) != State::kCancelRequested) continue;
    conc_cancelled_ = true;
    conc_stopped_[id] =
        "cancelled by a newer job of its " + conc_group_[id] + " (cancel-in-progress)";
    if (ProcOf(id) >= 0) {
      runner_->Cancel(ProcOf(id));  // AttemptDone reports it
      continue;
    }
    // Not running: holding the group for a slot, or between attempts.
    if (Drop(conc_ready_, id) || Drop(backoff_, id) || Drop(retry_ready_, id)) {
      JobResult r;
      r.state = JobState::kCancelled;
      r.attempts = AttemptsOf(id);
      r.reason = conc_stopped_[id];
      Finish(id, std::move(r));
    }
  }
}

void Scheduler::LeaveGroup(JobId id) {
  concurrency_->Leave(conc_ticket_[id]);
  conc_ticket_[id] = -1;
  Drop(conc_waiting_, id);
  Drop(conc_ready_, id);
  conc_check_ = true;  // a job of this run may be next: no need to wait for the event
}

}  // namespace gauntlet::exec
