#include "engine/selection.h"

#include <fmt/core.h>

#include <algorithm>

#include "plan/select.h"
#include "store/open.h"
#include "store/run_claim.h"

namespace gauntlet::engine {
namespace {

// The run to resume among the pipeline's newest: interrupted (its engine died),
// cancelled, or stopped because it could not be recorded; a finished run ends the search.
// *busy: the newest is being run (or resumed) by a live engine on this host.
Result<store::RunRecord> NewestResumable(store::Store& st, const std::string& pipeline,
                                         bool* busy) {
  auto dead = st.FindInterruptedRuns(store::HostName(), store::ProcessAlive);
  if (!dead.ok()) return dead.error();
  store::RunFilter f;
  f.pipeline = pipeline;
  f.limit = 20;
  auto recent = st.ListRuns(f);
  if (!recent.ok()) return recent.error();
  for (const store::RunRecord& run : *recent) {
    bool interrupted = std::any_of(dead->begin(), dead->end(),
                                   [&](const store::RunRecord& d) { return d.id == run.id; });
    if (interrupted || run.status == store::RunStatus::kInterrupted ||
        run.status == store::RunStatus::kCancelled || store::StoppedByStorageError(run))
      return run;
    if (run.status != store::RunStatus::kRunning) break;  // newest finished run: nothing to resume
    if (Status s = store::CheckResumable(run, busy);
        !s.ok() && *busy && run.engine_host == store::HostName())
      return s.error();
  }
  return Error{"no interrupted run of pipeline '" + pipeline + "' to resume"};
}

Result<store::RunRecord> NamedResumable(store::Store& st, store::RunId wanted, bool* busy) {
  auto r = st.GetRun(wanted);
  if (!r.ok()) return r.error();
  if (!*r) return Error{fmt::format("no run {}", wanted)};
  if (Status s = store::CheckResumable(**r, busy); !s.ok()) return s.error();
  return **r;
}

// Continues `run` in place: its successful jobs are kept, and so are the selection,
// --no-cache and --base it started with.
Status Resume(store::Store& st, const LoadedPipeline& loaded, const store::RunRecord& run,
              RunAsk* ask, PreparedRun* out) {
  if (!run.plan_fingerprint.empty() && run.plan_fingerprint != PlanFingerprint(loaded.plan))
    return Error::Invalid(fmt::format(
        "the pipeline's jobs changed since run {} started: it cannot be resumed (start a new "
        "run)",
        run.id));
  auto saved = nlohmann::json::parse(run.options_json, nullptr, false);
  if (saved.is_object()) {
    if (ask->only.empty() && ask->from.empty()) {
      if (saved.contains("only")) ask->only = saved["only"].get<std::vector<std::string>>();
      if (saved.contains("from")) ask->from = saved["from"].get<std::string>();
    }
    if (saved.value("no_cache", false)) ask->no_cache = true;  // --no-cache only adds
    if (ask->base.empty() && saved.contains("base") && saved["base"].is_string())
      ask->base = saved["base"].get<std::string>();
  }
  auto prev = SucceededJobs(st, run.id, loaded.plan, /*resumed=*/true);
  if (!prev.ok()) return prev.error();
  out->kept = prev->size();
  out->options.previous = std::move(*prev);
  out->options.resume = run.id;
  return Ok();
}

// --only / --from: the jobs left out are skipped, or (the needs of --from) taken from
// the pipeline's latest run with their outputs and reports.
Status Select(store::Store* st, const LoadedPipeline& loaded, const RunAsk& ask,
              PreparedRun* out) {
  if (!ask.only.empty() && !ask.from.empty())
    return Error::Invalid("--only and --from cannot be combined");
  const plan::Plan& plan = loaded.plan;
  auto selected =
      ask.only.empty() ? plan::SelectFrom(plan, ask.from) : plan::SelectOnly(plan, ask.only);
  if (!selected.ok()) return Error::NotFound(selected.error().message);
  Seed earlier;
  if (!ask.from.empty()) {
    auto latest = st->LatestRun(loaded.pipeline().name);
    if (latest.ok() && *latest) {
      auto prev = SucceededJobs(*st, (*latest)->id, plan, /*resumed=*/true);
      if (prev.ok()) earlier = std::move(*prev);
      // A resumed run holds the reports already; a new one carries them over.
      if (prev.ok() && !out->options.resume) out->options.carried_from = (*latest)->id;
    }
  }
  AddUnselected(plan, *selected, earlier, ask.only.empty() ? "--from" : "--only",
                &out->options.previous);
  out->options.recorded["only"] = ask.only;
  if (!ask.from.empty()) out->options.recorded["from"] = ask.from;
  return Ok();
}

}  // namespace

Result<store::RunRecord> FindResumable(store::Store& st, const std::string& pipeline,
                                       store::RunId wanted) {
  bool busy = false;
  auto run = wanted ? NamedResumable(st, wanted, &busy) : NewestResumable(st, pipeline, &busy);
  if (!run.ok())
    return busy ? Error::Busy(run.error().message) : Error::NotFound(run.error().message);
  return run;
}

Result<PreparedRun> PrepareRun(const std::string& store_url, const LoadedPipeline& loaded,
                               const RunAsk& asked) {
  RunAsk ask = asked;
  PreparedRun out;
  // Only --resume and --from read earlier runs.
  if (ask.resume || !ask.from.empty()) {
    auto st = store::OpenStore(store_url);
    if (!st.ok()) return st.error();
    out.store = std::move(*st);
  }
  if (ask.resume) {
    auto run = FindResumable(*out.store, loaded.pipeline().name, *ask.resume);
    if (!run.ok()) return run.error();
    if (Status s = Resume(*out.store, loaded, *run, &ask, &out); !s.ok()) return s.error();
  }
  if (!ask.only.empty() || !ask.from.empty()) {
    if (Status s = Select(out.store.get(), loaded, ask, &out); !s.ok()) return s.error();
  }
  RunOptions& o = out.options;
  o.parallelism = ask.parallelism;
  o.keep_going = ask.keep_going;
  o.no_cache = ask.no_cache;
  o.base = ask.base;
  o.recorded["jobs"] = ask.parallelism;
  o.recorded["keep_going"] = ask.keep_going;
  if (o.no_cache) o.recorded["no_cache"] = true;
  if (!o.base.empty()) o.recorded["base"] = o.base;
  return out;
}

Result<PreparedRetry> PrepareRetry(const std::string& store_url, store::RunId run,
                                   int parallelism, bool keep_going) {
  PreparedRetry out;
  auto st = store::OpenStore(store_url);
  if (!st.ok()) return st.error();
  out.store = std::move(*st);
  auto found = run ? out.store->GetRun(run) : out.store->LatestRun(std::nullopt);
  if (!found.ok()) return found.error();
  if (!*found) return Error::NotFound(run ? fmt::format("no run {}", run) : "no runs yet");
  out.original = **found;
  if (out.original.status == store::RunStatus::kRunning &&
      store::ProcessAlive(out.original.engine_pid) &&
      out.original.engine_host == store::HostName())
    return Error::Conflict(fmt::format("run {} is still running", out.original.id));
  out.loaded = LoadPipeline(out.original.file, "");
  if (!out.loaded.ok()) return out;
  const plan::Plan& plan = out.loaded.plan;

  // Re-run every job that did not succeed, and everything downstream of one.
  auto succeeded = SucceededJobs(*out.store, out.original.id, plan, /*resumed=*/true);
  if (!succeeded.ok()) return succeeded.error();
  std::vector<bool> ok(plan.jobs.size(), false);
  for (const auto& [id, r] : *succeeded) ok[id] = true;
  std::vector<bool> rerun(plan.jobs.size(), false);
  for (const plan::PlannedJob& job : plan.jobs) {  // topological order: needs come first
    bool upstream = std::any_of(job.needs.begin(), job.needs.end(),
                                [&](plan::JobId n) { return rerun[n]; });
    rerun[job.id] = !ok[job.id] || upstream;
  }
  for (auto& [id, r] : *succeeded) {
    if (!rerun[id]) out.options.previous.emplace_back(id, std::move(r));
  }
  out.to_run = static_cast<int>(std::count(rerun.begin(), rerun.end(), true));
  out.options.parallelism = parallelism;
  out.options.keep_going = keep_going;
  out.options.reason = fmt::format("retry of run {}", out.original.id);
  out.options.recorded["retry_of"] = out.original.id;
  out.options.carried_from = out.original.id;
  return out;
}

}  // namespace gauntlet::engine
