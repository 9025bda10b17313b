// Step "quality": the quality jobs must be green on this exact commit. A green run of it
// already in the store is reused; otherwise the jobs run through the engine (and what
// they need). Then the gate's verdict for HEAD, unless `gate: off`.
#include <algorithm>

#include "engine/run.h"
#include "engine/selection.h"
#include "engine/views_gate.h"
#include "gate/assess.h"
#include "gate/run_diagnosis.h"
#include "gate/verdict.h"
#include "release/flow.h"

namespace gauntlet::release {
namespace {

// Job names: a stage stands for its jobs.
std::vector<std::string> QualityJobs(const spec::Pipeline& p) {
  std::vector<std::string> jobs;
  for (const spec::Located& q : p.release.quality) {
    auto stage = std::find_if(p.stages.begin(), p.stages.end(),
                              [&](const spec::Stage& s) { return s.name == q.value; });
    if (stage != p.stages.end()) {
      jobs.insert(jobs.end(), stage->jobs.begin(), stage->jobs.end());
    } else {
      jobs.push_back(q.value);
    }
  }
  return jobs;
}

// Every quality job (each matrix job of it) passed in `jobs`.
bool AllPassed(const std::vector<std::string>& wanted, const std::vector<store::JobRecord>& jobs) {
  for (const std::string& w : wanted) {
    bool seen = false;
    for (const store::JobRecord& j : jobs) {
      if (j.name != w && !j.name.starts_with(w + " (")) continue;
      if (!gate::JobPassed(j)) return false;
      seen = true;
    }
    if (!seen) return false;
  }
  return true;
}

// The newest successful run of the pipeline on `commit` where the quality jobs passed.
store::RunId GreenRun(store::Store& st, const std::string& pipeline, const std::string& commit,
                      const std::vector<std::string>& wanted) {
  store::RunFilter filter;
  filter.limit = 200;
  filter.pipeline = pipeline;
  auto runs = st.ListRuns(filter);
  if (!runs.ok()) return 0;
  for (const store::RunRecord& r : *runs) {
    if (r.git_commit != commit || r.status != store::RunStatus::kSuccess) continue;
    auto jobs = st.GetJobs(r.id);
    if (jobs.ok() && AllPassed(wanted, *jobs)) return r.id;
  }
  return 0;
}

Status RunJobs(Flow& f, const std::vector<std::string>& jobs) {
  const engine::LoadedPipeline& loaded = *f.req.pipeline;
  engine::RunAsk ask;
  ask.only = jobs;
  auto prepared = engine::PrepareRun(f.req.workspace.store_url(), loaded, ask);
  if (!prepared.ok()) return prepared.error();
  engine::RunRequest rr;
  rr.pipeline = &loaded;
  rr.workspace = f.req.workspace;
  rr.event.name = "release";
  rr.options = std::move(prepared->options);
  rr.store = std::move(prepared->store);
  rr.secrets = f.req.secrets;
  rr.clock = f.clock;
  rr.note = [&f](const std::string& line) { f.Print(line); };
  auto handle = engine::StartRun(std::move(rr));
  if (!handle.ok()) return handle.error();
  const engine::RunOutcome& outcome = (*handle)->Wait();
  f.state.quality_run = outcome.run.id;
  if (outcome.state == exec::RunState::kSuccess) return Ok();
  // The failed jobs, diagnosed as `gauntlet diagnose` does.
  auto jobs_rec = f.store->GetJobs(outcome.run.id);
  std::vector<store::JobRecord> failed;
  if (jobs_rec.ok()) {
    for (const auto& j : *jobs_rec)
      if (j.status == store::JobStatus::kFailed) failed.push_back(j);
  }
  const gate::RunContext ctx =
      gate::ContextForFile(loaded.file, &loaded.plan, f.req.workspace.logs_dir());
  auto diagnosed = gate::DiagnoseRunJobs(*f.store, outcome.run, failed, ctx, 20);
  std::string names;
  if (diagnosed.ok()) {
    for (const gate::DiagnosedJob& d : *diagnosed) {
      f.state.failed_jobs.push_back(engine::DiagnosedJobJson(d));
      names += (names.empty() ? "" : ", ") + d.job.name;
      for (const gate::Diagnostic& diag : d.diagnosis.diagnostics) {
        f.Print("  " + d.job.name + ": " + diag.file +
                (diag.line > 0 ? ":" + std::to_string(diag.line) : "") + ": " + diag.message);
      }
    }
  }
  return Error::Conflict("quality run " + std::to_string(outcome.run.id) + " failed" +
                         (names.empty() ? "" : " (" + names + ")") +
                         ": no tag was made; `gauntlet diagnose " +
                         std::to_string(outcome.run.id) + "` shows why");
}

// The gate's verdict for HEAD with the quality run as its run. `gate: reject` stops on a
// reject only; `gate: approval` also on needs-approval, unless a person approved: with
// `approval: wait` the approval step then waits for a person, with `stop` the release ends.
Status Gate(Flow& f) {
  gate::GateOptions opts;
  opts.repo_path = f.repo_root;
  opts.state_dir = f.req.workspace.state_dir;
  opts.now_ms = f.clock->UnixMs();
  if (f.state.quality_run != 0) opts.run = f.state.quality_run;
  // The quality run ran only the quality jobs (and their needs): unless gates.required
  // says otherwise, they are what the jobs check requires, not every job of the file.
  spec::Pipeline judged = f.req.pipeline->pipeline();
  if (judged.gates.required.empty())
    for (const std::string& j : f.state.quality_jobs) judged.gates.required.push_back({j, {}});
  auto a = gate::Assess(*f.store, judged, opts);
  if (!a.ok()) return Error::Conflict("gate: " + a.error().message);
  const gate::Decision d = a->verdict.decision;
  f.state.gate = std::string(gate::ToString(d));
  std::string why;
  for (const std::string& r : a->verdict.reasons) why += (why.empty() ? "" : "; ") + r;
  if (d == gate::Decision::kReject) {
    f.state.status = "rejected";
    f.state.reason = "the gate rejects HEAD: " + why;
  } else if (d == gate::Decision::kNeedsApproval && f.config.gate == "approval" &&
             !f.req.approved) {
    if (f.config.approval == "wait") {
      f.approval_needed = why;  // the approval step asks a person and waits
      return Ok();
    }
    f.state.status = "needs_approval";
    f.state.reason = "the gate asks a person to approve HEAD (" + why +
                     "): run `gauntlet release --approve` once approved";
  }
  return Ok();
}

}  // namespace

Status Quality(Flow& f) {
  f.Begin("quality");
  const std::vector<std::string> jobs = QualityJobs(f.req.pipeline->pipeline());
  f.state.quality_jobs = jobs;
  if (f.req.no_quality || jobs.empty())
    return f.End("quality", "skipped", f.req.no_quality ? "--no-quality" : "no quality jobs");
  if (f.store == nullptr) {  // a dry run reads no store: it says what would happen
    f.plan["quality"] = {{"jobs", jobs},
                         {"how", "a green run of " + f.state.head.substr(0, 7) +
                                     " in the history is reused; otherwise these jobs run"},
                         {"gate", f.config.gate}};
    return f.End("quality", "skipped", "dry run: would check " + std::to_string(jobs.size()) +
                                           " job(s) on " + f.state.head.substr(0, 7));
  }
  std::string result = "ok";
  std::string detail;
  if (store::RunId green = GreenRun(*f.store, f.state.pipeline, f.state.head, jobs)) {
    f.state.quality_run = green;
    result = "reused";
    detail = "run " + std::to_string(green) + " is green on " + f.state.head.substr(0, 7);
  } else {
    f.Print("running the quality jobs: " + [&] {
      std::string s;
      for (const auto& j : jobs) s += (s.empty() ? "" : ", ") + j;
      return s;
    }());
    if (Status s = RunJobs(f, jobs); !s.ok()) {
      (void)f.End("quality", "failed", s.error().message);
      return s;
    }
    detail = "run " + std::to_string(f.state.quality_run) + " passed";
  }
  if (f.config.gate != "off") {
    if (Status s = Gate(f); !s.ok()) {
      (void)f.End("quality", "failed", s.error().message);
      return s;
    }
    detail += ", gate: " + f.state.gate;
    if (f.state.status != "running") return f.End("quality", "failed", f.state.reason);
  }
  return f.End("quality", result, detail);
}

}  // namespace gauntlet::release
