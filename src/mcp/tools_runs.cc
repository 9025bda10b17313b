// The tools of runs: run, run_status, logs, diagnose.
#include <fmt/core.h>

#include <map>

#include "core/clock.h"
#include "engine/diagnosis.h"
#include "engine/log_follow.h"
#include "engine/run_detail.h"
#include "engine/secrets.h"
#include "engine/selection.h"
#include "engine/views_gate.h"
#include "engine/views_run.h"
#include "gate/run_diagnosis.h"
#include "mcp/run_tracker.h"
#include "mcp/tools_common.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

// The run as `gauntlet status --json` shows it, with a one-line summary.
ToolResult StatusOf(store::Store& s, const store::RunRecord& run) {
  auto d = engine::ReadRunDetail(s, run);
  if (!d.ok()) return ToolError(d.error().message);
  ToolResult r;
  r.structured = engine::RunDetailJson(*d, RealClock().UnixMs());
  int failed = 0;
  for (const store::JobRecord& j : d->jobs) failed += j.status == store::JobStatus::kFailed;
  r.text = fmt::format("run {}: {}{}", run.id, engine::ShownStatus(run),
                       failed > 0 ? fmt::format(" ({} of {} jobs failed: call diagnose)", failed,
                                                d->jobs.size())
                                  : fmt::format(" ({} jobs)", d->jobs.size()));
  return r;
}

// Waits for a run of this session, as progress; false when the call was cancelled.
bool Follow(store::RunId id, CallContext& c) {
  auto waited = c.runs->Wait(id, c.cancelled, [&c, id](int done, int total, const std::string& job) {
    c.progress(done, total,
               job.empty() ? fmt::format("run {} started", id)
                           : fmt::format("run {}: {} of {} jobs done ({} finished)", id, done,
                                         total, job));
  });
  return waited != RunTracker::Waited::kCancelled;
}

ToolResult ReadStatus(store::RunId id, const Workplace& w) {
  auto h = OpenHistory(w);
  if (!h.ok()) return ToolError(h.error().message);
  auto run = ResolveRun(*h->store, {{"run_id", id}});
  if (!run.ok()) return ToolError(run.error().message);
  return StatusOf(*h->store, *run);
}

ToolResult Run(const json& a, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, false);
  if (!o.ok()) return ToolError(o.error().message);
  engine::RunAsk ask;
  if (a.contains("only")) ask.only = a["only"].get<std::vector<std::string>>();
  ask.from = a.value("from", "");
  ask.keep_going = a.value("keep_going", false);
  ask.no_cache = a.value("no_cache", false);
  auto prepared = engine::PrepareRun(o->ws.store_url(), *o->loaded, ask);
  if (!prepared.ok()) return ToolError(prepared.error().message);
  auto secrets = engine::CollectSecrets(o->loaded->pipeline(), c.workplace->secrets_file);
  if (!secrets.ok()) return ToolError(secrets.error().message);
  engine::RunRequest req;
  req.workspace = o->ws;
  req.options = std::move(prepared->options);
  req.options.reason = "started over MCP by " + c.identity;
  req.store = std::move(prepared->store);
  req.secrets = std::move(*secrets);
  req.note = [](const std::string& text) { fmt::print(stderr, "gauntlet mcp: {}\n", text); };
  auto id = c.runs->Start(std::move(o->loaded), std::move(req));
  if (!id.ok()) {
    std::string why = id.error().message;
    if (id.error().kind == ErrorKind::kBusy)
      why += " (one run at a time per workspace: follow the running one with run_status)";
    return ToolError(why);
  }
  if (!a.value("wait", false)) {
    ToolResult r;
    r.structured = {{"run_id", *id}, {"status", "running"}};
    r.text = fmt::format("run {} started; follow it with run_status (wait: true)", *id);
    return r;
  }
  if (!Follow(*id, c)) {
    c.runs->Cancel(*id);  // cancelling the call cancels the run it waited for
    return ToolError(fmt::format("cancelled: run {} is being cancelled", *id));
  }
  ToolResult r = ReadStatus(*id, *c.workplace);
  if (!r.is_error) r.structured = {{"run_id", *id}, {"status", r.structured["status"]}, {"run", r.structured}};
  return r;
}

ToolResult RunStatus(const json& a, CallContext& c) {
  auto o = OpenRun(*c.workplace, a);
  if (!o.ok()) return ToolError(o.error().message);
  if (!a.value("wait", false)) return StatusOf(*o->history.store, o->run);
  if (!Follow(o->run.id, c)) return ToolError("cancelled");
  return ReadStatus(o->run.id, *c.workplace);  // as it ended
}

// A job's log as lines: chunks are not line-aligned, so each job keeps its partial line.
struct LogLines {
  std::map<uint32_t, std::string> partial;
  std::vector<std::string> lines;
  void Add(uint32_t job, const std::string& prefix, std::string_view data) {
    std::string& p = partial[job];
    for (char ch : data) {
      if (ch == '\n') {
        lines.push_back(prefix + p);
        p.clear();
      } else {
        p += ch;
      }
    }
  }
};

ToolResult Logs(const json& a, CallContext& c) {
  auto o = OpenRun(*c.workplace, a);
  if (!o.ok()) return ToolError(o.error().message);
  const store::RunRecord* run = &o->run;
  const std::string job = a.value("job", "");
  std::map<uint32_t, std::string> names;  // by index: the selected jobs
  for (const store::JobRecord& j : o->jobs)
    if (engine::SelectsJob(job, j.name)) names[static_cast<uint32_t>(j.index)] = j.name;
  if (!job.empty() && names.empty()) {
    std::string known;
    for (const store::JobRecord& j : o->jobs) known += (known.empty() ? "" : ", ") + j.name;
    return ToolError(fmt::format("run {} has no job '{}' (jobs: {})", run->id, job, known));
  }
  LogLines log;
  History& h = o->history;
  Status s = engine::ReadRunLog(*h.store, h.ws, run->id, {}, [&](const store::LogChunk& ch) {
    auto it = names.find(ch.job);
    if (it == names.end() || ch.truncation_marker) return;
    log.Add(ch.job, job.empty() ? "[" + it->second + "] " : "", ch.data);
  });
  if (!s.ok()) return ToolError(s.error().message);
  for (auto& [idx, rest] : log.partial)
    if (!rest.empty()) log.lines.push_back((job.empty() ? "[" + names[idx] + "] " : "") + rest);
  const size_t offset = a.value("offset", 0), limit = a.value("limit", 200);
  const size_t begin = std::min(offset, log.lines.size());
  const size_t end = std::min(log.lines.size(), begin + limit);
  ToolResult r;
  json lines(std::vector<std::string>(log.lines.begin() + begin, log.lines.begin() + end));
  r.structured = {{"run_id", run->id}, {"job", job},          {"offset", begin},
                  {"lines", lines},    {"total_lines", log.lines.size()},
                  {"next_offset", end < log.lines.size() ? json(end) : json()}};
  for (size_t i = begin; i < end; ++i) r.text += log.lines[i] + "\n";
  if (end < log.lines.size())
    r.text += fmt::format("... {} more lines: call logs with offset {}\n", log.lines.size() - end, end);
  return r;
}

ToolResult Diagnose(const json& a, CallContext& c) {
  auto o = OpenRun(*c.workplace, a);
  if (!o.ok()) return ToolError(o.error().message);
  const store::RunRecord* run = &o->run;
  History* h = &o->history;
  // The same diagnosis, and JSON, as `gauntlet diagnose --json`.
  auto diagnosis = engine::DiagnoseRun(*h->store, *run, o->jobs, a.value("job", ""),
                                       h->ws.logs_dir(), a.value("lines", 20));
  if (!diagnosis.ok()) return ToolError(diagnosis.error().message);
  const std::vector<gate::DiagnosedJob>& diagnosed = diagnosis->jobs;
  ToolResult r;
  r.structured = engine::RunDiagnosisJson(*run, *diagnosis);
  if (diagnosed.empty()) r.text = fmt::format("run {}: no job failed", run->id);
  for (const gate::DiagnosedJob& d : diagnosed) {
    r.text += fmt::format("{}: {} ({} diagnostics)\n", d.job.name,
                          d.diagnosis.suggestion.empty() ? "failed" : d.diagnosis.suggestion,
                          d.diagnosis.diagnostics.size());
    size_t n = 0;
    for (const gate::Diagnostic& g : d.diagnosis.diagnostics) {
      if (n++ == 5) break;
      r.text += fmt::format("  {}:{}:{}: {}\n", g.file, g.line, g.col, g.message);
    }
  }
  return r;
}

const json kRunOutput = {
    {"type", "object"},
    {"properties", {{"run_id", {{"type", "integer"}}}, {"status", {{"type", "string"}}}}},
    {"required", {"run_id", "status"}}};

const json kRunDetailOutput = {
    {"type", "object"},
    {"properties",
     {{"id", {{"type", "integer"}}}, {"status", {{"type", "string"}}}, {"jobs", {{"type", "array"}}}}},
    {"required", {"id", "status", "jobs"}}};

}  // namespace

void AddRunTools(std::vector<Tool>* tools) {
  const json job = {{"type", "string"},
                    {"description", "A job name (a matrix job's base name selects all of it)"}};
  tools->push_back(
      {"run", "Run the pipeline",
       "Starts a run of the pipeline's jobs on the current working tree and answers at once "
       "with the run id (wait: true blocks until it ends, with progress). Follow it with "
       "run_status (wait: true); when it failed, call diagnose. Costs: runs every job "
       "(minutes, CPU); unchanged cached jobs are skipped. One run at a time per workspace.",
       ObjectSchema({{"only", {{"type", "array"}, {"items", {{"type", "string"}}},
                               {"description", "Only these jobs and what they need"}}},
                     {"from", {{"type", "string"}, {"description", "This job and everything after"}}},
                     {"keep_going", {{"type", "boolean"}, {"description", "After a failure keep "
                                                                          "starting independent jobs"}}},
                     {"no_cache", {{"type", "boolean"}, {"description", "Run cached jobs again"}}},
                     {"wait", {{"type", "boolean"}, {"description", "Block until the run ends "
                                                                   "(default false)"}}}},
                    {}),
       kRunOutput, Access::kRun, true, Run, nullptr});
  tools->push_back(
      {"run_status", "Show a run and its jobs",
       "A run (default: the newest) with each job's status, attempts, exit, duration, tests and "
       "coverage. wait: true blocks until a run this session started ends, sending progress. "
       "Cheap: reads the history.",
       ObjectSchema({{"run_id", RunIdSchema("The run (default: the newest)")},
                     {"wait", {{"type", "boolean"}, {"description", "Wait for the end of a run this "
                                                                   "session started"}}}},
                    {}),
       kRunDetailOutput, Access::kRead, true, RunStatus, nullptr});
  tools->push_back(
      {"logs", "Read a run's log",
       "The log lines of a run (default: the newest), of one job or of all (prefixed [job]), "
       "secrets masked, a page at a time: offset and limit count lines; next_offset is where "
       "the next page starts (null at the end). Prefer diagnose for why a job failed.",
       ObjectSchema({{"run_id", RunIdSchema("The run (default: the newest)")},
                     {"job", job},
                     {"offset", {{"type", "integer"}, {"minimum", 0}}},
                     {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 2000}}}},
                    {}),
       {{"type", "object"},
        {"properties", {{"lines", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                        {"next_offset", {{"type", {"integer", "null"}}}}}},
        {"required", {"lines", "next_offset"}}},
       Access::kRead, false, Logs, nullptr});
  tools->push_back(
      {"diagnose", "Explain why a run's jobs failed",
       "For each failed job of a run (default: the newest): its category (build, type, test, "
       "lint, ...), diagnostics as file:line:col with message and rule, failed tests, a fix "
       "suggestion and the end of its log. The same JSON as `gauntlet diagnose --json`. Use it "
       "after a failed run, fix the files it names, then run again. Cheap: reads stored logs.",
       ObjectSchema({{"run_id", RunIdSchema("The run (default: the newest)")},
                     {"job", job},
                     {"lines", {{"type", "integer"}, {"minimum", 0}, {"maximum", 500},
                                {"description", "Log lines kept per job (default 20)"}}}},
                    {}),
       {{"type", "object"},
        {"properties", {{"run", {{"type", "integer"}}}, {"jobs", {{"type", "array"}}}}},
        {"required", {"run", "jobs"}}},
       Access::kRead, false, Diagnose, nullptr});
}

}  // namespace gauntlet::mcp
