// go build / go test / go vet: "# package" headers, "./file.go:line:col: msg"
// compile errors, and test failures ("--- FAIL: TestX (0.00s)" with the
// "    file_test.go:7: message" lines the test logged, which come before the
// FAIL line under -v and after it otherwise).
#include <re2/re2.h>

#include <map>

#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

std::vector<Diagnostic> ParseGoCompiler(std::string_view log, Category category) {
  static const RE2 kError(R"(^(?:vet: )?(\S+\.go):(\d+)(?::(\d+))?: (.*)$)");
  static const RE2 kPackage(R"(^# (\S+)$)");
  std::vector<Diagnostic> out;
  std::string package;
  for (std::string_view line : SplitLines(log)) {
    std::string file, line_s, col_s, message;
    if (RE2::FullMatch(line, kPackage, &package)) continue;
    if (!RE2::FullMatch(line, kError, &file, &line_s, &col_s, &message)) {
      if (!out.empty() && line.size() > 1 && line[0] == '\t') {
        AppendLine(out.back().excerpt, line);  // "\thave (int)\n\twant (string)"
        out.back().message += "\n" + std::string(Trim(line));
      }
      continue;
    }
    Diagnostic d;
    d.category = category;
    d.file = file;
    d.line = ToInt(line_s);
    d.col = ToInt(col_s);
    d.message = message;
    if (!package.empty()) d.notes.push_back({"", 0, 0, "package " + package});
    d.excerpt = std::string(line);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

std::vector<Diagnostic> ParseGo(std::string_view log) {
  static const RE2 kRun(R"(^\s*=== (?:RUN|CONT|PAUSE)\s+(\S+)$)");
  static const RE2 kFail(R"(^\s*--- FAIL: (\S+) \(.*\)$)");
  static const RE2 kOtherResult(R"(^\s*--- (?:PASS|SKIP): (\S+).*$)");
  static const RE2 kTestLog(R"(^\s+(\S+\.go):(\d+): (.*)$)");
  static const RE2 kPackageResult(R"(^(?:FAIL|ok|PASS)\b.*$)");

  // Compile errors of the build (and of go test's build step) are unindented.
  std::vector<Diagnostic> out = ParseGoCompiler(log, Category::kBuild);

  struct TestLog {
    std::vector<Diagnostic> lines;
    bool failed = false;
  };
  std::map<std::string, TestLog> tests;
  std::vector<std::string> failed_order;
  std::string current;
  for (std::string_view line : SplitLines(log)) {
    std::string name, file, line_s, message;
    if (RE2::FullMatch(line, kRun, &name)) {
      current = name;
    } else if (RE2::FullMatch(line, kFail, &name)) {
      if (!tests[name].failed) failed_order.push_back(name);
      tests[name].failed = true;
      current = name;
    } else if (RE2::FullMatch(line, kOtherResult, &name)) {
      current = name;
    } else if (!current.empty() && RE2::FullMatch(line, kTestLog, &file, &line_s, &message)) {
      Diagnostic d;
      d.category = Category::kTest;
      d.file = file;
      d.line = ToInt(line_s);
      d.message = message;
      d.rule = current;
      d.excerpt = std::string(line);
      tests[current].lines.push_back(std::move(d));
    } else if (RE2::FullMatch(line, kPackageResult)) {
      current.clear();
    }
  }
  for (const std::string& name : failed_order) {
    TestLog& t = tests[name];
    if (t.lines.empty()) {
      // A parent test failing because of its subtests, or one that only
      // called t.Fail(): no location of its own.
      bool has_failed_child = false;
      for (const std::string& other : failed_order) {
        has_failed_child |= other.rfind(name + "/", 0) == 0;
      }
      if (has_failed_child) continue;
      Diagnostic d;
      d.category = Category::kTest;
      d.rule = name;
      d.message = "test failed";
      d.excerpt = "--- FAIL: " + name;
      out.push_back(std::move(d));
    }
    for (Diagnostic& d : t.lines) out.push_back(std::move(d));
  }
  return out;
}

std::vector<Diagnostic> ParseGoVet(std::string_view log) {
  return ParseGoCompiler(log, Category::kLint);
}

}  // namespace gauntlet::gate
