// The `insight` tool: what the history says (insight/insight.h), the same report as
// `gauntlet insight --json`.
#include <fmt/core.h>

#include "core/clock.h"
#include "insight/insight.h"
#include "insight/report_json.h"
#include "insight/report_text.h"
#include "mcp/tools_common.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

ToolResult Insight(const json& a, CallContext& c) {
  insight::Options opt;
  opt.since = a.value("since", "30d");
  if (auto since = insight::ParseSince(opt.since); !since.ok())
    return ToolError("since: " + since.error().message + " (a duration: 30d, 12h, 90m)");
  if (a.contains("pipeline")) opt.pipeline = a["pipeline"].get<std::string>();
  if (a.contains("branch")) opt.branch = a["branch"].get<std::string>();
  opt.now = RealClock().UnixMs();
  auto h = OpenHistory(*c.workplace);
  if (!h.ok()) return ToolError(h.error().message);
  auto report = insight::BuildReport(*h->store, opt);
  if (!report.ok()) return ToolError(report.error().message);
  ToolResult r;
  r.structured = insight::ReportJson(*report);
  r.text = insight::ReportText(*report);
  return r;
}

}  // namespace

void AddInsightTools(std::vector<Tool>* tools) {
  tools->push_back(
      {"insight", "What the run history says",
       "A report over a window of the history (default the last 30 days): each job's "
       "duration percentiles, success rate and trend, the critical path, flaky jobs (failed "
       "then passed on the same commit), advice (what to cache, split or fix first) and the "
       "DORA metrics of the deployments. The same JSON as `gauntlet insight --json` "
       "(docs/insight.md). Use it to choose what to speed up or stabilise, not in a fix "
       "loop. Reads the history only; on a long history it takes up to a second.",
       ObjectSchema({{"since", {{"type", "string"}, {"description", "The window: 30d, 12h, 90m"}}},
                     {"pipeline", {{"type", "string"}, {"description", "Only this pipeline's runs"}}},
                     {"branch", {{"type", "string"}, {"description", "Only this branch's runs"}}}},
                    {}),
       {{"type", "object"},
        {"properties", {{"window", {{"type", "object"}}}, {"flaky", {{"type", "array"}}},
                        {"advice", {{"type", "array"}}}, {"dora", {{"type", "array"}}},
                        {"pipelines", {{"type", "array"}}}}},
        {"required", {"window"}}},
       Access::kRead, false, Insight, nullptr});
}

}  // namespace gauntlet::mcp
