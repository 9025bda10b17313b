#include "gate/rdjson.h"

#include <nlohmann/json.hpp>

namespace gauntlet::gate {

namespace {

const char* RdSeverity(Severity s) {
  switch (s) {
    case Severity::kError:
      return "ERROR";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kNote:
      return "INFO";
  }
  return "UNKNOWN_SEVERITY";
}

// A location, with a range only when a line is known (reviewdog then comments
// on the file as a whole).
nlohmann::json Location(const std::string& file, int line, int col, std::optional<int> end_line,
                        std::optional<int> end_col) {
  nlohmann::json loc = {{"path", file}};
  if (line <= 0) return loc;
  nlohmann::json start = {{"line", line}};
  if (col > 0) start["column"] = col;
  nlohmann::json range = {{"start", start}};
  if (end_line && *end_line > 0) {
    nlohmann::json end = {{"line", *end_line}};
    if (end_col && *end_col > 0) end["column"] = *end_col;
    range["end"] = end;
  }
  loc["range"] = range;
  return loc;
}

}  // namespace

nlohmann::json ToRdjson(const std::vector<Diagnostic>& diagnostics, const std::string& source) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diagnostics) {
    nlohmann::json item = {{"message", d.message},
                           {"location", Location(d.file, d.line, d.col, d.end_line, d.end_col)},
                           {"severity", RdSeverity(d.severity)}};
    if (!d.tool.empty()) item["source"] = {{"name", d.tool}};
    if (!d.rule.empty()) item["code"] = {{"value", d.rule}};
    if (!d.excerpt.empty()) item["original_output"] = d.excerpt;
    nlohmann::json related = nlohmann::json::array();
    for (const Note& n : d.notes) {
      if (n.file.empty()) continue;
      related.push_back(
          {{"message", n.message}, {"location", Location(n.file, n.line, n.col, {}, {})}});
    }
    if (!related.empty()) item["related_locations"] = related;
    list.push_back(std::move(item));
  }
  return {{"source", {{"name", source}}}, {"diagnostics", list}};
}

}  // namespace gauntlet::gate
