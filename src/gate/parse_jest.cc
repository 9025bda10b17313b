// jest and vitest, as they print failures without a reporter:
//
//   jest:    FAIL test/calc.test.js (5.4 s)          vitest:  FAIL  test/calc.test.js > calc > halves
//              ● calc › halves                                AssertionError: expected 2.6 to be 4
//                expect(received).toBe(expected)              ...
//                ...                                           ❯ test/calc.test.js:10:21
//                at Object.toBe (test/calc.test.js:9:21)
//
// One `test` diagnostic per failed test: its name as the runner prints it (the rule), the
// message lines, and the stack frame in the test file (else the first frame outside
// node_modules) as its location.
#include <re2/re2.h>


#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

// What one failure block has read so far.
struct Failure {
  Diagnostic d;
  std::string suite;           // the test file the runner named
  bool in_message = true;      // message lines until the code frame or a stack frame
  bool located_in_suite = false;
};

// Takes a stack frame's location when it is better than what the failure has.
void Locate(Failure& f, const std::string& file, int line, int col) {
  if (file.find("node_modules/") != std::string::npos || f.located_in_suite) return;
  const bool in_suite = !f.suite.empty() && (file == f.suite || file.ends_with("/" + f.suite));
  if (!in_suite && !f.d.file.empty()) return;
  f.d.file = file;
  f.d.line = line;
  f.d.col = col;
  f.located_in_suite = in_suite;
}

}  // namespace

std::vector<Diagnostic> ParseJest(std::string_view log) {
  static const RE2 kJestSuite(R"(^\s*FAIL\s+(\S+)(?:\s+\(.*\))?\s*$)");
  static const RE2 kJestTest(R"(^\s*● (.+)$)");
  static const RE2 kVitestTest(R"(^\s*FAIL\s+(\S+) > (.+)$)");
  static const RE2 kFrame(R"(^\s+at (?:.* \()?(?:file://)?([^()\s]+?):(\d+):(\d+)\)?$)");
  static const RE2 kVitestFrame(R"(^\s*❯ (\S+?):(\d+):(\d+)$)");
  static const RE2 kCodeFrame(R"(^\s*>?\s*\d+\s*\|)");
  static const RE2 kEnd(
      R"(^(?:\s*⎯+.*|(?:Test Suites|Tests|Snapshots|Time):.*|\s*Test Files\s.*|\s*(?:PASS|FAIL)\s+\S+.*)$)");

  std::vector<Diagnostic> out;
  std::string suite;  // jest's current test file
  // The failure being read (no std::optional: GCC 12 -O3 warns about its destructor).
  Failure failure;
  Failure* f = nullptr;
  auto start = [&](std::string file, const char* tool, std::string name) {
    failure = Failure{};
    failure.suite = std::move(file);
    failure.d.tool = tool;
    failure.d.rule = std::move(name);
    f = &failure;
  };
  auto finish = [&] {
    if (f == nullptr) return;
    while (!f->d.message.empty() && f->d.message.back() == '\n') f->d.message.pop_back();
    if (f->d.file.empty()) f->d.file = f->suite;  // no frame: at least the test file
    f->d.category = Category::kTest;
    out.push_back(std::move(f->d));
    f = nullptr;
  };
  for (std::string_view line : SplitLines(log)) {
    std::string file, name, line_s, col_s;
    if (RE2::FullMatch(line, kVitestTest, &file, &name)) {
      finish();
      start(file, "vitest", name);
    } else if (RE2::FullMatch(line, kJestSuite, &file)) {
      finish();
      suite = file;
      continue;
    } else if (RE2::FullMatch(line, kJestTest, &name)) {
      finish();
      start(suite, "jest", name);
    } else if (f == nullptr) {
      continue;
    } else if (RE2::FullMatch(line, kEnd)) {
      finish();
      continue;
    } else if (RE2::FullMatch(line, kFrame, &file, &line_s, &col_s) ||
               RE2::FullMatch(line, kVitestFrame, &file, &line_s, &col_s)) {
      f->in_message = false;
      Locate(*f, file, ToInt(line_s), ToInt(col_s));
    } else if (RE2::PartialMatch(line, kCodeFrame)) {
      f->in_message = false;
    } else if (f->in_message && !Trim(line).empty()) {
      f->d.message += std::string(Trim(line)) + "\n";
    }
    AppendLine(f->d.excerpt, line);
  }
  finish();
  return out;
}

}  // namespace gauntlet::gate
