// pytest: the FAILURES / ERRORS sections ("____ test_name ____" blocks, with
// "file.py:10: AssertionError" (long tracebacks) or "file.py:10: in test"
// (--tb=short) naming where it failed and "E   " lines saying why), and the
// "short test summary info" lines (FAILED/ERROR nodeid - reason), used alone
// when tracebacks were turned off.
#include <re2/re2.h>

#include <map>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

struct Block {
  std::string title;  // "test_area_wrong", "TestX.test_y", "ERROR collecting t.py"
  std::vector<std::string_view> lines;
};

// "test_shapes.py::TestX::test_y" -> "TestX.test_y", the title pytest prints.
std::string TitleFromNodeId(const std::string& node_id) {
  size_t sep = node_id.find("::");
  if (sep == std::string::npos) return node_id;
  std::string title = node_id.substr(sep + 2);
  for (size_t p; (p = title.find("::")) != std::string::npos;) title.replace(p, 2, ".");
  return title;
}

}  // namespace

std::vector<Diagnostic> ParsePytest(std::string_view log) {
  static const RE2 kSection(R"(^={3,} (FAILURES|ERRORS|.*) ={3,}$)");
  static const RE2 kTitle(R"(^_{3,} (.+?) _{3,}$)");
  static const RE2 kLocation(R"(^(\S+\.py):(\d+): (?:in \S+|\w+(?:\.\w+)*)$)");
  static const RE2 kSummary(R"(^(FAILED|ERROR) (\S+?)(?: - (.*))?$)");

  std::vector<Block> blocks;
  std::map<std::string, std::pair<std::string, std::string>> summary;  // title -> nodeid, reason
  std::vector<std::string> summary_order;
  bool in_failures = false;
  for (std::string_view line : SplitLines(log)) {
    std::string section, title, kind, node_id, reason;
    if (RE2::FullMatch(line, kSection, &section)) {
      in_failures = section == "FAILURES" || section == "ERRORS";
      continue;
    }
    if (RE2::FullMatch(line, kSummary, &kind, &node_id, &reason)) {
      const std::string t = TitleFromNodeId(node_id);
      summary[t] = {node_id, reason};
      summary_order.push_back(t);
      continue;
    }
    if (!in_failures) continue;
    if (RE2::FullMatch(line, kTitle, &title)) {
      if (title.rfind("ERROR collecting ", 0) == 0) title.erase(0, 17);
      blocks.push_back({title, {}});
      continue;
    }
    if (!blocks.empty() && !(line.size() > 3 && line.substr(0, 3) == "---")) {
      blocks.back().lines.push_back(line);
    }
  }

  std::vector<Diagnostic> out;
  std::map<std::string, bool> seen;
  for (const Block& b : blocks) {
    Diagnostic d;
    d.category = Category::kTest;
    auto s = summary.find(b.title);
    const std::string test_file =
        s != summary.end() ? s->second.first.substr(0, s->second.first.find("::")) : "";
    std::vector<Note> frames;
    std::string file, line_s, why;
    for (std::string_view l : b.lines) {
      if (RE2::FullMatch(l, kLocation, &file, &line_s)) {
        frames.push_back({file, ToInt(line_s), 0, std::string(l)});
      }
      if (l.size() > 1 && l[0] == 'E' && (l[1] == ' ' || l[1] == '\t')) {
        if (!why.empty()) why += '\n';
        why += std::string(Trim(l.substr(1)));
      }
      AppendLine(d.excerpt, l);
    }
    // pytest prints frames outermost first: the test's own frame (the failing
    // assert, or the call that raised) is the first one in the test's file;
    // without a summary line, the innermost frame.
    size_t primary = frames.empty() ? 0 : frames.size() - 1;
    for (size_t i = 0; i < frames.size(); ++i) {
      if (frames[i].file == test_file) {
        primary = i;
        break;
      }
    }
    for (size_t i = 0; i < frames.size(); ++i) {
      if (i == primary) {
        d.file = frames[i].file;
        d.line = frames[i].line;
      } else {
        d.notes.push_back(frames[i]);
      }
    }
    while (!d.excerpt.empty() && d.excerpt.front() == '\n') d.excerpt.erase(0, 1);
    d.rule = s != summary.end() ? s->second.first : b.title;
    d.message = !why.empty() ? why : (s != summary.end() ? s->second.second : "failed");
    if (d.file.empty()) d.file = test_file;
    seen[b.title] = true;
    out.push_back(std::move(d));
  }
  // Failures that only the summary reports (--tb=no, -rf with -q).
  for (const std::string& t : summary_order) {
    if (seen[t]) continue;
    seen[t] = true;
    const auto& [node_id, reason] = summary[t];
    Diagnostic d;
    d.category = Category::kTest;
    d.file = node_id.substr(0, node_id.find("::"));
    d.rule = node_id;
    d.message = reason.empty() ? "failed" : reason;
    d.excerpt = "FAILED " + node_id + (reason.empty() ? "" : " - " + reason);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace gauntlet::gate
