// Rendering a Plan's DAG for people and tools: a text listing by level, Graphviz DOT
// and Mermaid. The critical path is marked in each (`*`, bold red, a linkStyle).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "plan/plan.h"

namespace gauntlet::plan {

enum class GraphFormat { kText, kDot, kMermaid };

// "text" | "dot" | "mermaid".
Result<GraphFormat> ParseGraphFormat(std::string_view name);

// Each job's level: 0 for jobs with no needs, else 1 + the deepest of its needs.
std::vector<int> Levels(const Plan& plan);

std::string RenderText(const Plan& plan);
std::string RenderDot(const Plan& plan);
std::string RenderMermaid(const Plan& plan);
std::string Render(const Plan& plan, GraphFormat format);

// The DAG as data: {"nodes":[{id,name,kind,level,critical}],
// "edges":[{from,to,critical}] (from = the need), "critical_path":[names]}.
nlohmann::json GraphJson(const Plan& plan);

// Quoting used by the renderers, exposed for tests: a DOT double-quoted string and a
// Mermaid quoted label (entity-escaped so names with quotes or brackets stay one label).
std::string DotQuote(std::string_view s);
std::string MermaidQuote(std::string_view s);

}  // namespace gauntlet::plan
