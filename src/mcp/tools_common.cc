#include "mcp/tools_common.h"

#include <fmt/core.h>

#include "core/clock.h"
#include "engine/trust.h"
#include "store/approvals.h"
#include "store/open.h"
#include "vcs/checkout.h"

namespace gauntlet::mcp {

std::string ProblemLines(const engine::LoadedPipeline& loaded, size_t max) {
  std::string out;
  size_t n = 0;
  for (const spec::Problem& p : loaded.problems.all()) {
    if (n++ == max) {
      out += fmt::format("... and {} more\n", loaded.problems.all().size() - max);
      break;
    }
    out += fmt::format("{}:{}:{}: {}: {}{}\n", loaded.file, p.loc.line, p.loc.col,
                       p.severity == spec::Severity::kError ? "error" : "warning", p.message,
                       p.hint.empty() ? "" : " (" + p.hint + ")");
  }
  return out;
}

Result<gate::TrustLevel> LevelOf(const Workplace& w, const std::string& identity) {
  auto o = OpenWorkplace(w, true);
  if (!o.ok()) return o.error();
  auto t = engine::ReadTrust(*o->store, o->loaded->pipeline(), o->ws.root, identity,
                             RealClock().UnixMs());
  if (!t.ok()) return t.error();
  if (t->standings.empty()) return gate::TrustLevel::kL0;
  return t->standings.front().second.level;
}

ApprovalAnswer AskApproval(const Workplace& w, const std::string& identity,
                           const std::string& tool, const std::string& environment,
                           const nlohmann::json& arguments) {
  auto o = OpenWorkplace(w, true);  // the store: created and migrated if new
  if (!o.ok()) return {0, 0, o.error().message};
  store::ApprovalRecord action;
  action.kind = tool;
  action.pipeline = o->loaded->pipeline().name;
  action.environment = environment;
  action.version = arguments.value("version", "");
  action.commit = arguments.value("commit", "");
  action.requested_by = identity;
  if (tool == "promote") {
    // What is promoted is the environment's paused deployment: an approval is for it.
    auto active = o->store->ActiveDeployment(environment);
    if (!active.ok()) return {0, 0, active.error().message};
    if (!*active || (*active)->state != store::kDeployPaused)
      return {0, 0, "environment " + environment + " has no paused deployment to promote"};
    action.version = (*active)->version;
    action.commit = (*active)->git_commit;
  } else if (action.commit.empty()) {
    auto head = vcs::ResolveRevision(o->ws.root, "HEAD");
    if (!head.ok()) return {0, 0, "the commit to deploy: " + head.error().message};
    action.commit = *head;
  }
  auto book = store::ApprovalBook::Open(o->ws.db_path());
  if (!book.ok()) return {0, 0, book.error().message};
  const int64_t now = RealClock().UnixMs();
  auto used = (*book)->Consume(action, now);
  if (!used.ok()) return {0, 0, used.error().message};
  if (*used) return {(*used)->id, 0, ""};
  auto asked = (*book)->Request(action, now);
  if (!asked.ok()) return {0, 0, asked.error().message};
  return {0, asked->id, ""};
}

Result<Opened> OpenWorkplace(const Workplace& w, bool with_store, bool allow_invalid) {
  Opened o;
  o.loaded = std::make_unique<engine::LoadedPipeline>(engine::LoadPipeline(w.file, w.start_dir));
  if (!o.loaded->load) {
    Status s = o.loaded->status();
    return Error::NotFound(s.error().message + " (looked for gauntlet.yml from " + w.start_dir +
                           " upward; start `gauntlet mcp --file FILE` to name one)");
  }
  if (!allow_invalid && !o.loaded->ok())
    return Error::Invalid("the pipeline file has errors (fix them first; `validate` lists them):\n" +
                          ProblemLines(*o.loaded));
  o.ws = engine::WorkspaceForFile(o.loaded->file, w.state_dir);
  if (with_store) {
    auto st = store::OpenStore(o.ws.store_url());
    if (!st.ok()) return st.error();
    o.store = std::move(*st);
  }
  return o;
}

nlohmann::json RunIdSchema(const std::string& description) {
  return {{"type", "integer"}, {"minimum", 1}, {"description", description}};
}

}  // namespace gauntlet::mcp

namespace gauntlet::mcp {

Result<History> OpenHistory(const Workplace& w) {
  History h;
  if (!w.file.empty()) {
    h.ws = engine::WorkspaceForFile(w.file, w.state_dir);
  } else {
    auto ws = engine::FindWorkspace(w.state_dir, w.start_dir);
    if (!ws.ok()) return ws.error();
    h.ws = std::move(*ws);
  }
  auto st = store::OpenStore(h.ws.store_url());
  if (!st.ok()) return st.error();
  h.store = std::move(*st);
  return h;
}

Result<store::RunRecord> ResolveRun(store::Store& s, const nlohmann::json& arguments) {
  if (!arguments.contains("run_id")) {
    auto r = s.LatestRun(std::nullopt);
    if (!r.ok()) return r.error();
    if (!r->has_value()) return Error::NotFound("no runs recorded yet: start one with `run`");
    return std::move(**r);
  }
  const store::RunId id = arguments["run_id"].get<store::RunId>();
  auto r = s.GetRun(id);
  if (!r.ok()) return r.error();
  if (!r->has_value()) return Error::NotFound(fmt::format("no run {}", id));
  return std::move(**r);
}

Result<OpenedRun> OpenRun(const Workplace& w, const nlohmann::json& arguments) {
  auto h = OpenHistory(w);
  if (!h.ok()) return h.error();
  auto run = ResolveRun(*h->store, arguments);
  if (!run.ok()) return run.error();
  auto jobs = h->store->GetJobs(run->id);
  if (!jobs.ok()) return jobs.error();
  return OpenedRun{std::move(*h), std::move(*run), std::move(*jobs)};
}

}  // namespace gauntlet::mcp
