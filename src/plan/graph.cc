#include "plan/graph.h"

#include <algorithm>
#include <set>
#include <utility>

namespace gauntlet::plan {
namespace {

std::vector<char> CriticalNodes(const Plan& plan) {
  std::vector<char> on(plan.jobs.size(), 0);
  for (JobId id : plan.critical_path) on[id] = 1;
  return on;
}

// Edges (need, job) along the critical path.
std::set<std::pair<JobId, JobId>> CriticalEdges(const Plan& plan) {
  std::set<std::pair<JobId, JobId>> out;
  for (size_t i = 1; i < plan.critical_path.size(); ++i)
    out.emplace(plan.critical_path[i - 1], plan.critical_path[i]);
  return out;
}

// Node ids are synthetic ("n12"): job names hold spaces, '=', parentheses and ':'.
std::string NodeId(JobId id) {
  std::string out = "n";  // appended, not "n" + ...: GCC 12 -Wrestrict misfires on that
  out += std::to_string(id);
  return out;
}

}  // namespace

Result<GraphFormat> ParseGraphFormat(std::string_view name) {
  if (name == "text") return GraphFormat::kText;
  if (name == "dot") return GraphFormat::kDot;
  if (name == "mermaid") return GraphFormat::kMermaid;
  return Error{"unknown graph format '" + std::string(name) + "' (valid: text, dot, mermaid)"};
}

std::vector<int> Levels(const Plan& plan) {
  std::vector<int> level(plan.jobs.size(), 0);
  for (const PlannedJob& j : plan.jobs)  // needs come first: one pass suffices
    for (JobId n : j.needs) level[j.id] = std::max(level[j.id], level[n] + 1);
  return level;
}

std::string DotQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string MermaidQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string RenderText(const Plan& plan) {
  std::vector<int> level = Levels(plan);
  std::vector<char> critical = CriticalNodes(plan);
  int max_level = -1;
  for (int l : level) max_level = std::max(max_level, l);
  std::vector<std::vector<JobId>> by_level(max_level + 1);
  for (const PlannedJob& j : plan.jobs) by_level[level[j.id]].push_back(j.id);
  std::string out;
  for (int l = 0; l <= max_level; ++l) {
    out += "level " + std::to_string(l) + "\n";
    for (JobId id : by_level[l]) {
      const PlannedJob& j = plan.jobs[id];
      out += critical[id] ? "  * " : "    ";
      out += j.name;
      if (!j.needs.empty()) {
        out += "  <- ";
        for (size_t i = 0; i < j.needs.size(); ++i) {
          if (i) out += ", ";
          out += plan.jobs[j.needs[i]].name;
        }
      }
      out += "\n";
    }
  }
  if (!plan.critical_path.empty()) {
    out += "\ncritical path (" + std::to_string(plan.critical_path.size()) + " jobs): ";
    for (size_t i = 0; i < plan.critical_path.size(); ++i) {
      if (i) out += " -> ";
      out += plan.jobs[plan.critical_path[i]].name;
    }
    out += "\n";
  }
  return out;
}

std::string RenderDot(const Plan& plan) {
  std::vector<char> critical = CriticalNodes(plan);
  auto critical_edges = CriticalEdges(plan);
  std::string out = "digraph gauntlet {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (const PlannedJob& j : plan.jobs) {
    out += "  " + NodeId(j.id) + " [label=" + DotQuote(j.name);
    if (j.kind == PlannedJob::Kind::kDeploy) out += ", shape=hexagon, style=solid";
    if (critical[j.id]) out += ", color=red, fontcolor=red, penwidth=2";
    out += "];\n";
  }
  for (const PlannedJob& j : plan.jobs) {
    for (JobId n : j.needs) {
      out += "  " + NodeId(n) + " -> " + NodeId(j.id);
      if (critical_edges.count({n, j.id})) out += " [color=red, penwidth=2]";
      out += ";\n";
    }
  }
  return out + "}\n";
}

std::string RenderMermaid(const Plan& plan) {
  std::vector<char> critical = CriticalNodes(plan);
  auto critical_edges = CriticalEdges(plan);
  std::string out = "flowchart LR\n";
  for (const PlannedJob& j : plan.jobs) {
    if (j.kind == PlannedJob::Kind::kDeploy)
      out += "  " + NodeId(j.id) + "{{" + MermaidQuote(j.name) + "}}\n";
    else
      out += "  " + NodeId(j.id) + "[" + MermaidQuote(j.name) + "]\n";
  }
  std::vector<int> critical_links;  // linkStyle takes edge indices in declaration order
  int link = 0;
  for (const PlannedJob& j : plan.jobs) {
    for (JobId n : j.needs) {
      out += "  " + NodeId(n) + " --> " + NodeId(j.id) + "\n";
      if (critical_edges.count({n, j.id})) critical_links.push_back(link);
      ++link;
    }
  }
  if (!critical_links.empty()) {
    out += "  linkStyle ";
    for (size_t i = 0; i < critical_links.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(critical_links[i]);
    }
    out += " stroke:#d00,stroke-width:3px\n";
  }
  if (!plan.critical_path.empty()) {
    out += "  classDef critical stroke:#d00,stroke-width:3px,color:#d00\n  class ";
    for (size_t i = 0; i < plan.critical_path.size(); ++i) {
      if (i) out += ',';
      out += NodeId(plan.critical_path[i]);
    }
    out += " critical\n";
  }
  return out;
}

std::string Render(const Plan& plan, GraphFormat format) {
  switch (format) {
    case GraphFormat::kText:
      return RenderText(plan);
    case GraphFormat::kDot:
      return RenderDot(plan);
    case GraphFormat::kMermaid:
      return RenderMermaid(plan);
  }
  return "";
}

nlohmann::json GraphJson(const Plan& plan) {
  std::vector<int> level = Levels(plan);
  std::vector<char> critical = CriticalNodes(plan);
  auto critical_edges = CriticalEdges(plan);
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array(),
                 path = nlohmann::json::array();
  for (const PlannedJob& j : plan.jobs) {
    nodes.push_back({{"id", j.id},
                     {"name", j.name},
                     {"kind", j.kind == PlannedJob::Kind::kDeploy ? "deploy" : "job"},
                     {"level", level[j.id]},
                     {"critical", critical[j.id] != 0}});
    for (JobId n : j.needs)
      edges.push_back(
          {{"from", n}, {"to", j.id}, {"critical", critical_edges.count({n, j.id}) > 0}});
  }
  for (JobId id : plan.critical_path) path.push_back(plan.jobs[id].name);
  nlohmann::json out = nlohmann::json::object();  // moved in: an initializer list copies
  out["nodes"] = std::move(nodes);
  out["edges"] = std::move(edges);
  out["critical_path"] = std::move(path);
  return out;
}

}  // namespace gauntlet::plan
