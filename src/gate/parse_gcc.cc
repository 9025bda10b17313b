// gcc and clang: "file:line:col: error: message [-Wflag]", with the context
// lines around it ("In file included from", "In function", notes, source
// snippets) and linker errors ("file.c:(.text+0xa): undefined reference").
#include <re2/re2.h>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

Severity GccSeverity(const std::string& s) {
  if (s == "warning") return Severity::kWarning;
  if (s == "note" || s == "remark") return Severity::kNote;
  return Severity::kError;  // error, fatal error
}

}  // namespace

std::vector<Diagnostic> ParseGcc(std::string_view log) {
  static const RE2 kDiag(
      R"(^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note|remark): (.*)$)");
  static const RE2 kRule(R"(^(.*) \[(-W[^\]]*)\]$)");
  static const RE2 kIncluded(R"(^(?:In file included|\s+) from (.+?):(\d+)(?::(\d+))?[:,]$)");
  static const RE2 kFunction(R"(^(.+?): ((?:In|At) .+):$)");
  static const RE2 kLinkerContext(R"(^\S*ld(?:\.\w+)?: .*: (in function .*):$)");
  static const RE2 kUndefined(
      R"(^(.+?):\(\.[\w.]+(?:\+0x[0-9a-f]+)?\): (undefined reference to .*)$)");
  // g++'s instantiation chain before a template error: "a.cc:9:12:   required from here".
  static const RE2 kRequired(
      R"(^(.+?):(\d+):(\d+):\s+((?:required|recursively required) (?:from|by) .*|in .*expansion of .*)$)");

  std::vector<Diagnostic> out;
  std::vector<Note> context;  // waits for the next diagnostic
  std::string context_excerpt;
  Diagnostic* current = nullptr;  // the last error/warning, which notes attach to

  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, col_s, kind, message;
    // An include chain may lead to the next error or to a note of the current one (g++
    // prints one before a candidate in a system header): `current` stays until it is known.
    if (RE2::FullMatch(line, kIncluded, &file, &line_s, &col_s)) {
      context.push_back({file, ToInt(line_s), ToInt(col_s), "In file included from here"});
      AppendLine(context_excerpt, line);
      continue;
    }
    if (RE2::FullMatch(line, kRequired, &file, &line_s, &col_s, &message)) {
      context.push_back({file, ToInt(line_s), ToInt(col_s), message});
      AppendLine(context_excerpt, line);
      current = nullptr;
      continue;
    }
    if (RE2::FullMatch(line, kDiag, &file, &line_s, &col_s, &kind, &message)) {
      Severity severity = GccSeverity(kind);
      if (severity == Severity::kNote && current != nullptr) {
        // The include chain before a note only says how its file was reached.
        if (!context_excerpt.empty()) AppendLine(current->excerpt, context_excerpt);
        context.clear();
        context_excerpt.clear();
        current->notes.push_back({file, ToInt(line_s), ToInt(col_s), message});
        AppendLine(current->excerpt, line);
        continue;
      }
      Diagnostic d;
      d.category = Category::kBuild;
      d.severity = severity;
      d.file = file;
      d.line = ToInt(line_s);
      d.col = ToInt(col_s);
      std::string text, rule;
      if (RE2::FullMatch(message, kRule, &text, &rule)) {
        d.message = text;
        d.rule = rule;
      } else {
        d.message = message;
      }
      d.notes = std::move(context);
      d.excerpt = std::move(context_excerpt);
      AppendLine(d.excerpt, line);
      context.clear();
      context_excerpt.clear();
      out.push_back(std::move(d));
      current = &out.back();
      continue;
    }
    std::string what;
    if (RE2::FullMatch(line, kFunction, &file, &what) ||
        RE2::FullMatch(line, kLinkerContext, &what)) {
      context.push_back({"", 0, 0, what});
      AppendLine(context_excerpt, line);
      current = nullptr;
      continue;
    }
    if (RE2::FullMatch(line, kUndefined, &file, &message)) {
      Diagnostic d;
      d.category = Category::kBuild;
      d.file = file;
      d.message = message;
      d.rule = "ld";
      d.notes = std::move(context);
      d.excerpt = std::move(context_excerpt);
      AppendLine(d.excerpt, line);
      context.clear();
      context_excerpt.clear();
      out.push_back(std::move(d));
      current = nullptr;
      continue;
    }
    // Source snippet and caret lines are indented; they belong to the last one.
    if (current != nullptr && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      AppendLine(current->excerpt, line);
      continue;
    }
    current = nullptr;
  }
  return out;
}

}  // namespace gauntlet::gate
