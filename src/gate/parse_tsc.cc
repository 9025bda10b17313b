// tsc: "file(line,col): error TS2322: message" (plain, the default off a
// terminal) and "file:line:col - error TS2322: message" (--pretty, colours
// already stripped), with related locations indented under it.
#include <re2/re2.h>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

std::vector<Diagnostic> ParseTsc(std::string_view log) {
  static const RE2 kPlain(R"(^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$)");
  static const RE2 kPretty(R"(^(.+?):(\d+):(\d+) - (error|warning|message) (TS\d+): (.*)$)");
  static const RE2 kRelated(R"(^\s+(.+?):(\d+):(\d+) - (.*)$)");
  static const RE2 kSnippet(R"(^\d+ )");  // "6 const u: User = ..." under --pretty
  static const RE2 kNoFile(R"(^(error|warning) (TS\d+): (.*)$)");

  std::vector<Diagnostic> out;
  bool open = false;
  bool continuing = false;  // indented lines still extend the message
  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, col_s, level, code, message;
    bool plain = RE2::FullMatch(line, kPlain, &file, &line_s, &col_s, &level, &code, &message);
    if (plain || RE2::FullMatch(line, kPretty, &file, &line_s, &col_s, &level, &code, &message) ||
        RE2::FullMatch(line, kNoFile, &level, &code, &message)) {
      Diagnostic d;
      d.category = Category::kType;
      d.severity = level == "error"     ? Severity::kError
                   : level == "warning" ? Severity::kWarning
                                        : Severity::kNote;
      d.file = file;
      d.line = ToInt(line_s);
      d.col = ToInt(col_s);
      d.rule = code;
      d.message = message;
      d.excerpt = std::string(line);
      out.push_back(std::move(d));
      open = true;
      continuing = true;
      continue;
    }
    if (!open) continue;
    Diagnostic& d = out.back();
    const bool snippet = RE2::PartialMatch(line, kSnippet);
    if (!line.empty() && line[0] != ' ' && !snippet) {
      open = false;  // "Found 3 errors ..."
      continue;
    }
    if (RE2::FullMatch(line, kRelated, &file, &line_s, &col_s, &message)) {
      d.notes.push_back({file, ToInt(line_s), ToInt(col_s), message});
      continuing = false;
    } else if (line.empty() || snippet) {
      continuing = false;
    } else if (continuing) {
      // A message continued on indented lines (elaboration chains).
      d.message += "\n" + std::string(Trim(line));
    }
    AppendLine(d.excerpt, line);
  }
  for (Diagnostic& d : out) {
    while (!d.excerpt.empty() && d.excerpt.back() == '\n') d.excerpt.pop_back();
  }
  return out;
}

}  // namespace gauntlet::gate
