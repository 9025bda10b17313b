// eslint: the stylish formatter (a file header, then "  line:col  error  msg
// rule" rows), unix ("file:line:col: msg [Error/rule]") and json (an array of
// {filePath, messages[]}). The format is recognised line by line, so a log
// holding several eslint runs in different formats still parses.
#include <re2/re2.h>

#include "gate/json_in_log.h"
#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

void ParseEslintJson(const nlohmann::json& files, std::vector<Diagnostic>& out) {
  for (const auto& f : files) {
    if (!Field(f, "messages").is_array()) continue;
    for (const auto& m : Field(f, "messages")) {
      if (!m.is_object()) continue;
      Diagnostic d;
      d.category = Category::kLint;
      d.severity = !Field(m, "severity").is_number() || Field(m, "severity").get<int>() >= 2
                       ? Severity::kError
                       : Severity::kWarning;
      d.file = Field(f, "filePath").is_string() ? Field(f, "filePath").get<std::string>() : "";
      d.line = m.value("line", 0);
      d.col = m.value("column", 0);
      if (Field(m, "endLine").is_number()) d.end_line = Field(m, "endLine").get<int>();
      if (Field(m, "endColumn").is_number()) d.end_col = Field(m, "endColumn").get<int>();
      if (Field(m, "ruleId").is_string()) d.rule = Field(m, "ruleId").get<std::string>();
      d.message = Field(m, "message").is_string() ? Field(m, "message").get<std::string>() : "";
      d.excerpt = m.dump();
      out.push_back(std::move(d));
    }
  }
}

}  // namespace

std::vector<Diagnostic> ParseEslint(std::string_view log) {
  static const RE2 kUnix(R"(^(.+?):(\d+):(\d+): (.*) \[(Error|Warning)(?:/([^\]]+))?\]$)");
  static const RE2 kRow(R"(^\s+(\d+):(\d+)\s+(error|warning)\s+(.*?)(?:\s{2,}(\S+))?$)");

  std::vector<Diagnostic> out;
  nlohmann::json json = FindJsonInLog(log, nlohmann::json::value_t::array);
  if (!json.is_discarded()) {
    try {
      ParseEslintJson(json, out);
    } catch (const nlohmann::json::exception&) {
      // A value of an unexpected type: keep what was read.
    }
  }

  std::string file;  // stylish: the current file header
  for (std::string_view line : SplitLines(log)) {
    std::string path, line_s, col_s, level, message, rule;
    if (RE2::FullMatch(line, kUnix, &path, &line_s, &col_s, &message, &level, &rule)) {
      Diagnostic d;
      d.category = Category::kLint;
      d.severity = level == "Error" ? Severity::kError : Severity::kWarning;
      d.file = path;
      d.line = ToInt(line_s);
      d.col = ToInt(col_s);
      d.message = message;
      d.rule = rule;
      d.excerpt = std::string(line);
      out.push_back(std::move(d));
      continue;
    }
    if (!file.empty() && RE2::FullMatch(line, kRow, &line_s, &col_s, &level, &message, &rule)) {
      Diagnostic d;
      d.category = Category::kLint;
      d.severity = level == "error" ? Severity::kError : Severity::kWarning;
      d.file = file;
      d.line = ToInt(line_s);
      d.col = ToInt(col_s);
      d.message = message;
      d.rule = rule;
      d.excerpt = std::string(line);
      out.push_back(std::move(d));
      continue;
    }
    // A stylish file header is an unindented line naming a file; the summary
    // ("✖ 5 problems") and blank lines end the block.
    if (!line.empty() && line[0] != ' ' && line[0] != '[' && line[0] != '{' &&
        line.find("problem") == std::string_view::npos) {
      file = std::string(Trim(line));
    } else if (line.empty()) {
      file.clear();
    }
  }
  return out;
}

}  // namespace gauntlet::gate
