#include "engine/run_context.h"

namespace gauntlet::engine {

// A new run records every job as skipped; a resumed one keeps the jobs that already
// succeeded (their rows stand) and is finished as skipped the same way.
Status RecordSkippedRun(RunContext& ctx, const std::string& reason) {
  const RunOptions& opt = ctx.request.options;
  const plan::Plan& plan = ctx.plan();
  store::RunRecord& run = ctx.run;
  store::Store& st = *ctx.store;
  const bool resumed = opt.resume != 0;
  ctx.git.Fill(&run, /*wait=*/true);
  run.options_json = opt.recorded.dump();
  run.plan_fingerprint = PlanFingerprint(plan);
  run.status = store::RunStatus::kSkipped;
  run.reason = reason;
  run.finished_ms = ctx.NowMs();
  if (!resumed) {
    run.started_ms = run.finished_ms;
    auto id = st.CreateRun(run);
    if (!id.ok()) return id.error();
    run.id = *id;
  }
  std::vector<exec::JobResult> results(plan.jobs.size());
  std::vector<bool> kept(plan.jobs.size(), false);
  if (resumed) {
    for (const auto& [id, r] : opt.previous) {
      results[id] = r;
      kept[id] = r.state == exec::JobState::kSuccess;
    }
  }
  store::Batch batch(st);
  if (resumed) {
    if (Status s = st.UpdateRun(run); !s.ok()) return s;
  }
  for (const plan::PlannedJob& job : plan.jobs) {
    if (kept[job.id]) continue;  // succeeded before the interruption: its row stands
    exec::JobResult& r = results[job.id];
    if (r.reason.empty()) r.reason = "run skipped: " + reason;
    r.state = exec::JobState::kSkipped;
    store::JobRecord rec;
    rec.run_id = run.id;
    rec.index = job.id;
    rec.name = job.name;
    rec.status = store::JobStatus::kSkipped;
    rec.reason = r.reason;
    rec.finished_ms = run.finished_ms;
    if (Status s = st.UpsertJob(rec); !s.ok()) return s;
  }
  if (Status s = batch.Commit(); !s.ok()) return s;
  ctx.outcome.run = run;
  ctx.outcome.skipped = true;
  ctx.outcome.state = exec::RunState::kSuccess;
  ctx.outcome.results = std::move(results);
  return Ok();
}

}  // namespace gauntlet::engine
