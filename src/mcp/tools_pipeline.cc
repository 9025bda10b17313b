// The tools that read the pipeline file and the history as a whole: validate, plan,
// gate, trust.
#include <fmt/core.h>

#include "core/clock.h"
#include "engine/diagnosis.h"
#include "engine/trust.h"
#include "engine/views_gate.h"
#include "gate/assess.h"
#include "gate/run_diagnosis.h"
#include "mcp/tools_common.h"
#include "plan/describe.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

ToolResult Validate(const json&, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, false, /*allow_invalid=*/true);
  if (!o.ok()) return ToolError(o.error().message);
  const engine::LoadedPipeline& l = *o->loaded;
  ToolResult r;
  r.structured = {{"file", l.file}, {"valid", l.ok()}, {"problems", l.problems.ToJson()}};
  r.text = l.ok() ? fmt::format("{} is valid: {} job(s)", l.file, l.plan.jobs.size())
                  : fmt::format("{} is invalid:\n{}", l.file, ProblemLines(l));
  return r;
}

ToolResult Plan(const json&, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, false);
  if (!o.ok()) return ToolError(o.error().message);
  ToolResult r;
  r.structured = plan::DescribeJson(o->loaded->plan);
  r.text = plan::DescribeText(o->loaded->plan);
  return r;
}

ToolResult Gate(const json& a, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, true);
  if (!o.ok()) return ToolError(o.error().message);
  gate::GateOptions opt;
  opt.base_ref = a.value("base", "");
  opt.head_ref = a.value("head", "");
  if (a.contains("run_id")) opt.run = a["run_id"].get<store::RunId>();
  opt.now_ms = RealClock().UnixMs();
  opt.repo_path = o->ws.root;
  opt.state_dir = o->ws.state_dir;
  gate::AssessFailure failure;
  auto as = gate::Assess(*o->store, o->loaded->pipeline(), opt, &failure);
  if (!as.ok()) return ToolError(as.error().message);
  auto diagnoses = engine::DiagnoseVerdict(*o->store, *as, *o->loaded, o->ws.logs_dir());
  if (!diagnoses.ok()) return ToolError(diagnoses.error().message);
  ToolResult r;
  r.structured = engine::VerdictJson(*as, *diagnoses);
  r.text = fmt::format("gate: {} (run {})", gate::ToString(as->verdict.decision), as->run.id);
  return r;
}

ToolResult Trust(const json& a, CallContext& c) {
  auto o = OpenWorkplace(*c.workplace, true);
  if (!o.ok()) return ToolError(o.error().message);
  const std::string author = a.value("author", c.identity);
  auto t = engine::ReadTrust(*o->store, o->loaded->pipeline(), o->ws.root, author,
                             RealClock().UnixMs());
  if (!t.ok()) return ToolError(t.error().message);
  const auto& [key, s] = t->standings.front();
  ToolResult r;
  r.structured = engine::TrustHistoryJson(key, t->HistoryOf(key), s, o->loaded->pipeline().name,
                                          t->changes);
  r.text = fmt::format("{}: {} ({}){}", key, gate::ToString(s.level), s.why,
                       s.next.empty() ? "" : "; next: " + s.next);
  return r;
}

}  // namespace

void AddPipelineTools(std::vector<Tool>* tools) {
  const json open_object = {{"type", "object"}};
  tools->push_back(
      {"validate", "Validate the pipeline file",
       "Checks the pipeline file (gauntlet.yml) and lists every problem as file:line:col with "
       "what would be valid. Use it after editing the pipeline file, before `run`. Cheap: reads "
       "one file, runs nothing.",
       ObjectSchema(json::object(), {}),
       {{"type", "object"},
        {"properties", {{"valid", {{"type", "boolean"}}}, {"problems", {{"type", "array"}}}}},
        {"required", {"valid", "problems"}}},
       Access::kRead, false, Validate, nullptr});
  tools->push_back(
      {"plan", "Show the pipeline's jobs and their order",
       "The jobs the pipeline would run (matrix expanded), what each needs, the order and the "
       "critical path. Use it to learn job names before `run` with `only`, or to understand a "
       "pipeline. Cheap: runs nothing.",
       ObjectSchema(json::object(), {}), open_object, Access::kRead, false, Plan, nullptr});
  tools->push_back(
      {"gate", "Ask whether the change may merge",
       "The gate's verdict on the change between base and head (default: the branch against "
       "the default branch's merge-base, judged on HEAD's newest run): auto-merge, "
       "needs-approval or reject, with every check, the change's risk and its authors' trust, "
       "and for a reject the diagnosis of each failed job. Use it after a green `run` to learn "
       "whether the change can merge on its own. Reads git and the history; runs nothing.",
       ObjectSchema({{"base", {{"type", "string"}, {"description", "Base ref (default: merge-base "
                                                                  "with the default branch)"}}},
                     {"head", {{"type", "string"}, {"description", "Head ref (default: HEAD)"}}},
                     {"run_id", RunIdSchema("The run to judge (default: HEAD's newest)")}},
                    {}),
       {{"type", "object"},
        {"properties", {{"decision", {{"type", "string"}}}, {"checks", {{"type", "array"}}}}},
        {"required", {"decision"}}},
       Access::kRead, false, Gate, nullptr});
  tools->push_back(
      {"trust", "Show an author's trust level",
       "The trust level (L0-L3) an author earned in this repository's history (merged changes, "
       "incidents), what the next level needs, and every promotion and demotion. Without "
       "`author`: the session's own identity. The trust level decides what the session may "
       "deploy and release. Cheap: reads the history.",
       ObjectSchema({{"author", {{"type", "string"}, {"description", "An email or a name"}}}}, {}),
       {{"type", "object"},
        {"properties", {{"level", {{"type", "string"}}}, {"author", {{"type", "string"}}}}},
        {"required", {"level"}}},
       Access::kRead, false, Trust, nullptr});
}

}  // namespace gauntlet::mcp
