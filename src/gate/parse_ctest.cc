// ctest: the failed tests of its progress lines ("3/4 Test #3: halves ....***Failed") or of
// its closing list ("The following tests FAILED:"), each located by what the test printed
// under --output-on-failure: googletest's "file:line: Failure", assert()'s "prog:
// file:line: func: Assertion `x' failed.", Catch2's "file:line: FAILED:".
#include <re2/re2.h>

#include <algorithm>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

bool Passed(const std::string& status) {
  return status.find("Passed") != std::string::npos ||
         status.find("Skipped") != std::string::npos ||
         status.find("Not Run") != std::string::npos;
}

// A location the test's own output gives; the message after it when on the same line.
bool TestOutputLocation(std::string_view line, Diagnostic* d) {
  static const RE2 kGtest(R"(^(.+?):(\d+): Failure$)");
  static const RE2 kAssert(R"(^\S+: (.+?):(\d+): [^:]+: (Assertion .*)$)");
  static const RE2 kCatch(R"(^(.+?):(\d+): FAILED:$)");
  std::string file, line_s, message;
  if (!RE2::FullMatch(line, kGtest, &file, &line_s) &&
      !RE2::FullMatch(line, kAssert, &file, &line_s, &message) &&
      !RE2::FullMatch(line, kCatch, &file, &line_s)) {
    return false;
  }
  d->file = file;
  d->line = ToInt(line_s);
  if (!message.empty()) d->message = message;
  return true;
}

}  // namespace

std::vector<Diagnostic> ParseCtest(std::string_view log) {
  static const RE2 kProgress(R"(^\s*\d+/\d+ Test\s+#\d+: (\S+) \.*\s*(.*?)\s+[\d.]+ sec$)");
  static const RE2 kStart(R"(^\s+Start\s+\d+: \S+$)");
  static const RE2 kListed(R"(^\s*\d+ - (\S+) \((.+)\)$)");
  static const RE2 kSummary(R"(^\d+% tests passed)");

  std::vector<Diagnostic> out;
  Diagnostic* current = nullptr;  // the failed test whose output follows
  bool located = false;           // its location came from its output
  bool in_message = false;        // lines after a googletest "Failure" line
  for (std::string_view line : SplitLines(log)) {
    std::string name, status;
    if (RE2::FullMatch(line, kProgress, &name, &status)) {
      current = nullptr;
      if (Passed(status)) continue;
      Diagnostic d;
      d.rule = name;
      // "***Failed", "Subprocess aborted***Exception:", "***Timeout": the first word(s).
      std::string_view what(status);
      while (!what.empty() && what.front() == '*') what.remove_prefix(1);
      what = what.substr(0, std::min(what.find("***"), what.find(':')));
      d.message = std::string(Trim(what));
      d.excerpt = std::string(line);
      out.push_back(std::move(d));
      current = &out.back();
      located = in_message = false;
      continue;
    }
    if (RE2::FullMatch(line, kListed, &name, &status)) {
      const bool seen = std::any_of(out.begin(), out.end(),
                                    [&](const Diagnostic& d) { return d.rule == name; });
      if (!seen) {
        Diagnostic d;
        d.rule = name;
        d.message = status;
        d.excerpt = std::string(line);
        out.push_back(std::move(d));
      }
      current = nullptr;
      continue;
    }
    if (current == nullptr) continue;
    if (RE2::FullMatch(line, kStart) || RE2::PartialMatch(line, kSummary)) {
      current = nullptr;
      continue;
    }
    AppendLine(current->excerpt, line);
    if (!located && TestOutputLocation(line, current)) {
      located = true;
      in_message = current->message.find("Assertion") != 0;
      if (in_message) current->message.clear();
      continue;
    }
    if (!in_message) continue;
    // googletest's message: the lines up to its "[  FAILED  ]" line.
    if (line.starts_with("[  FAILED  ]") || line.starts_with("[       OK ]") || line.empty()) {
      in_message = false;
      continue;
    }
    current->message += (current->message.empty() ? "" : "\n") + std::string(line);
  }
  for (Diagnostic& d : out) {
    d.category = Category::kTest;
    d.tool = "ctest";
  }
  return out;
}

}  // namespace gauntlet::gate
