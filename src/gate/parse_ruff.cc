// ruff: "file:line:col: CODE [*] message" (concise and the first line of the
// full form; ruff 0.x also prints "CODE (rule-name) message"), and
// --output-format=json (an array of {code, filename, location, ...}).
#include <re2/re2.h>

#include "gate/json_in_log.h"
#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

std::vector<Diagnostic> ParseRuff(std::string_view log) {
  static const RE2 kLine(R"(^(.+?):(\d+):(\d+): ([A-Z]+[0-9]+) (?:\[\*\] )?(?:\([\w-]+\) )?(.*)$)");
  static const RE2 kSyntax(R"(^(.+?):(\d+):(\d+): (SyntaxError: .*)$)");
  static const RE2 kHelp(R"(^\s+= help: (.*)$)");

  std::vector<Diagnostic> out;
  nlohmann::json json = FindJsonInLog(log, nlohmann::json::value_t::array);
  if (!json.is_discarded()) {
    try {
      for (const auto& m : json) {
        if (!m.is_object()) continue;
        Diagnostic d;
        d.category = Category::kLint;
        if (Field(m, "code").is_string()) d.rule = Field(m, "code").get<std::string>();
        if (Field(m, "filename").is_string()) d.file = Field(m, "filename").get<std::string>();
        if (Field(m, "message").is_string()) d.message = Field(m, "message").get<std::string>();
        if (const auto& loc = Field(m, "location"); loc.is_object()) {
          d.line = loc.value("row", 0);
          d.col = loc.value("column", 0);
        }
        if (const auto& end = Field(m, "end_location"); end.is_object()) {
          d.end_line = end.value("row", 0);
          d.end_col = end.value("column", 0);
        }
        if (const auto& fix = Field(Field(m, "fix"), "message"); fix.is_string()) {
          d.notes.push_back({"", 0, 0, "help: " + fix.get<std::string>()});
        }
        d.excerpt = m.dump();
        out.push_back(std::move(d));
      }
    } catch (const nlohmann::json::exception&) {
      // A value of an unexpected type: keep what was read.
    }
    return out;
  }
  bool open = false;
  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, col_s, code, message;
    bool syntax = false;
    if (RE2::FullMatch(line, kLine, &file, &line_s, &col_s, &code, &message) ||
        (syntax = RE2::FullMatch(line, kSyntax, &file, &line_s, &col_s, &message))) {
      Diagnostic d;
      d.category = syntax ? Category::kBuild : Category::kLint;
      d.file = file;
      d.line = ToInt(line_s);
      d.col = ToInt(col_s);
      d.rule = code;
      d.message = message;
      d.excerpt = std::string(line);
      out.push_back(std::move(d));
      open = true;
      continue;
    }
    if (!open) continue;
    if (!line.empty() && line[0] != ' ' && !(line[0] >= '0' && line[0] <= '9')) {
      open = false;
      continue;
    }
    if (RE2::FullMatch(line, kHelp, &message))
      out.back().notes.push_back({"", 0, 0, "help: " + message});
    if (!line.empty()) AppendLine(out.back().excerpt, line);
  }
  return out;
}

}  // namespace gauntlet::gate
