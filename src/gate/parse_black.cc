// black --check: "would reformat path/app.py" per file (with --diff, the unified diff's
// first hunk gives the line). One `lint` diagnostic per file, rule `black`.
#include <re2/re2.h>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

std::vector<Diagnostic> ParseBlack(std::string_view log) {
  static const RE2 kWould(R"(^would reformat (.+)$)");
  static const RE2 kDiffFile(R"(^\+\+\+ (\S+)(?:\t.*)?$)");
  static const RE2 kHunk(R"(^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@)");
  static const RE2 kError(R"(^error: cannot format (.+?): (.*)$)");
  std::vector<Diagnostic> out;
  std::string diff_file;
  int first_hunk = 0;
  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, message;
    if (RE2::FullMatch(line, kDiffFile, &file)) {
      diff_file = file;
      first_hunk = 0;
      continue;
    }
    if (first_hunk == 0 && !diff_file.empty() && RE2::PartialMatch(line, kHunk, &line_s)) {
      first_hunk = ToInt(line_s);
      continue;
    }
    Diagnostic d;
    d.category = Category::kLint;
    d.tool = "black";
    d.rule = "black";
    if (RE2::FullMatch(line, kWould, &file)) {
      d.file = file;
      d.message = "would reformat: run black on it";
      // --diff prints the file's diff before its "would reformat" line.
      if (file == diff_file && first_hunk > 0) d.line = first_hunk;
    } else if (RE2::FullMatch(line, kError, &file, &message)) {
      d.category = Category::kBuild;
      d.file = file;
      d.message = "cannot format: " + message;
    } else {
      continue;
    }
    d.excerpt = std::string(line);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace gauntlet::gate
