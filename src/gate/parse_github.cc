// GitHub Actions workflow commands a step prints (docs/github-actions.md):
//   ::error file=src/app.py,line=3,col=5,endLine=3,endColumn=9,title=T::message
//   ::warning file=...::message      ::notice ...::message
// Values are escaped as the runner expects: %25 %0D %0A in the message, and also %3A
// %2C in property values. `title` becomes the rule.
#include <re2/re2.h>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {
namespace {

std::string Unescape(std::string_view s, bool property) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view code = s.substr(i, 3);
    char c = 0;
    if (code == "%25") c = '%';
    if (code == "%0D" || code == "%0d") c = '\r';
    if (code == "%0A" || code == "%0a") c = '\n';
    if (property && (code == "%3A" || code == "%3a")) c = ':';
    if (property && (code == "%2C" || code == "%2c")) c = ',';
    if (c == 0) {
      out += s[i];
      continue;
    }
    out += c;
    i += 2;
  }
  return out;
}

}  // namespace

std::vector<Diagnostic> ParseGithub(std::string_view log) {
  // As the runner reads them: at the start of a line (`+ echo '::error::x'` from
  // `set -x` is not a command).
  static const RE2 kCommand(R"(^\s*::(error|warning|notice)(?: ([^:]*))?::(.*)$)");
  // `::stop-commands::TOKEN`: nothing is a command until the line `::TOKEN::`.
  static const RE2 kStop(R"(^::stop-commands::(.+?)\r?$)");
  std::vector<Diagnostic> out;
  std::string resume;
  for (std::string_view line : SplitLines(log)) {
    if (!resume.empty()) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line == resume) resume.clear();
      continue;
    }
    std::string token;
    if (RE2::FullMatch(line, kStop, &token)) {
      resume = "::" + token + "::";
      continue;
    }
    std::string kind, properties, message;
    if (!RE2::PartialMatch(line, kCommand, &kind, &properties, &message)) continue;
    Diagnostic d;
    d.severity = kind == "error" ? Severity::kError : kind == "warning" ? Severity::kWarning
                                                                          : Severity::kNote;
    d.message = Unescape(message, false);
    for (std::string_view rest = properties; !rest.empty();) {
      size_t comma = rest.find(',');
      std::string_view pair = Trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = pair.substr(0, eq);
      std::string value = Unescape(pair.substr(eq + 1), true);
      if (key == "file") d.file = value;
      if (key == "line") d.line = ToInt(value);
      if (key == "col") d.col = ToInt(value);
      if (key == "endLine") d.end_line = ToInt(value);
      if (key == "endColumn") d.end_col = ToInt(value);
      if (key == "title") d.rule = value;
    }
    d.excerpt = std::string(line);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace gauntlet::gate
