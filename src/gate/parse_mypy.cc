// mypy: "file:line[:col]: error: message  [code]"; "note:" lines attach to the
// error before them (mypy prints context and hints that way).
#include <re2/re2.h>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

std::vector<Diagnostic> ParseMypy(std::string_view log) {
  static const RE2 kLine(
      R"(^(.+?):(\d+):(?:(\d+):)?(?:(\d+):(\d+):)? (error|warning|note): (.*?)(?:  \[([\w-]+)\])?$)");

  std::vector<Diagnostic> out;
  bool open = false;
  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, col_s, end_line_s, end_col_s, level, message, code;
    if (!RE2::FullMatch(line, kLine, &file, &line_s, &col_s, &end_line_s, &end_col_s, &level,
                        &message, &code)) {
      open = false;
      continue;
    }
    if (level == "note" && open) {
      out.back().notes.push_back({file, ToInt(line_s), ToInt(col_s), message});
      AppendLine(out.back().excerpt, line);
      continue;
    }
    Diagnostic d;
    d.category = Category::kType;
    d.severity = level == "error"     ? Severity::kError
                 : level == "warning" ? Severity::kWarning
                                      : Severity::kNote;
    d.file = file;
    d.line = ToInt(line_s);
    d.col = ToInt(col_s);
    if (!end_line_s.empty()) {
      d.end_line = ToInt(end_line_s);
      d.end_col = ToInt(end_col_s);
    }
    d.message = message;
    d.rule = code;
    d.excerpt = std::string(line);
    out.push_back(std::move(d));
    open = out.back().severity != Severity::kNote;
  }
  return out;
}

}  // namespace gauntlet::gate
