#include "gate/junit.h"

#include <re2/re2.h>

#include <cstdlib>

#include "gate/text.h"
#include "gate/xml.h"

namespace gauntlet::gate {

namespace {

// Where a failure happened, read from its text when the producer did not say:
// pytest's "file.py:10: AssertionError" (the last such line), a stack frame
// "(/src/sum.test.js:5:18)" or "(BarTest.java:42)" outside node_modules,
// go's "    calc_test.go:7: message".
void LocateFromText(const std::string& text, const std::string& classname, Diagnostic& d) {
  static const RE2 kPytest(R"((?m)^(\S+\.\w+):(\d+): \w[\w.]*$)");
  static const RE2 kFrame(R"(\(([^()\s]+?\.\w+):(\d+)(?::(\d+))?\))");
  static const RE2 kLineStart(R"((?m)^\s*(\S+\.\w+):(\d+)(?::(\d+))?: )");
  std::string file, line_s, col_s;
  re2::StringPiece in(text);
  while (RE2::FindAndConsume(&in, kPytest, &file, &line_s)) {
    d.file = file;
    d.line = ToInt(line_s);
  }
  if (!d.file.empty()) return;
  // Stack frames: the test class's own file first (Java: "(FailingTest.java:23)"
  // under org.acme.FailingTest), else the first frame outside node_modules.
  const std::string test_class = classname.substr(classname.find_last_of("./") + 1);
  std::string first_file, first_line, first_col;
  in = re2::StringPiece(text);
  while (RE2::FindAndConsume(&in, kFrame, &file, &line_s, &col_s)) {
    if (file.find("node_modules") != std::string::npos) continue;
    const size_t slash = file.find_last_of('/');
    const std::string base = file.substr(slash == std::string::npos ? 0 : slash + 1);
    if (!test_class.empty() && base.substr(0, base.rfind('.')) == test_class) {
      first_file = file;
      first_line = line_s;
      first_col = col_s;
      break;
    }
    if (first_file.empty()) {
      first_file = file;
      first_line = line_s;
      first_col = col_s;
    }
  }
  if (!first_file.empty()) {
    d.file = first_file;
    d.line = ToInt(first_line);
    d.col = ToInt(first_col);
    return;
  }
  if (RE2::PartialMatch(text, kLineStart, &file, &line_s, &col_s)) {
    d.file = file;
    d.line = ToInt(line_s);
    d.col = ToInt(col_s);
  }
}

std::string FirstLine(std::string_view s) {
  for (std::string_view l : SplitLines(s)) {
    if (!Trim(l).empty()) return std::string(Trim(l));
  }
  return "";
}

void ReadCase(const XmlElement& tc, const ParseOptions& options, TestReport& r) {
  ++r.tests;
  r.time_seconds += std::atof(tc.Attr("time").c_str());
  for (const auto& child : tc.children) {
    const bool failure = child->name == "failure";
    const bool error = child->name == "error";
    if (child->name == "skipped") {
      ++r.skipped;
      return;
    }
    if (!failure && !error) continue;
    (failure ? r.failures : r.errors)++;
    Diagnostic d;
    d.category = Category::kTest;
    d.tool = "junit";
    // jest-junit repeats the title as the class name (with a leading blank).
    const std::string classname(Trim(tc.Attr("classname")));
    const std::string name(Trim(tc.Attr("name")));
    d.rule = classname.empty() || classname == name ? name : classname + "::" + name;
    d.message = std::string(Trim(child->Attr("message")));
    if (d.message.empty()) d.message = FirstLine(child->text);
    if (d.message.empty()) d.message = failure ? "test failed" : "test errored";
    if (!tc.Attr("file").empty()) {
      d.file = tc.Attr("file");
      d.line = ToInt(tc.Attr("line"));
    } else {
      LocateFromText(child->text, classname, d);
    }
    d.file = RelativePath(d.file, options.repo_root);
    if (!child->Attr("type").empty()) d.notes.push_back({"", 0, 0, "type: " + child->Attr("type")});
    d.excerpt = child->text;
    r.diagnostics.push_back(std::move(d));
    return;
  }
}

void ReadSuite(const XmlElement& e, const ParseOptions& options, TestReport& r) {
  bool has_cases = false;
  for (const auto& child : e.children) {
    if (child->name == "testcase") {
      has_cases = true;
      ReadCase(*child, options, r);
    } else if (child->name == "testsuite") {
      has_cases = true;
      ReadSuite(*child, options, r);
    }
  }
  if (!has_cases && e.name == "testsuite") {
    r.tests += ToInt(e.Attr("tests"));
    r.failures += ToInt(e.Attr("failures"));
    r.errors += ToInt(e.Attr("errors"));
    r.skipped += ToInt(e.Attr("skipped")) + ToInt(e.Attr("disabled"));
    r.time_seconds += std::atof(e.Attr("time").c_str());
  }
}

}  // namespace

Result<TestReport> ParseJUnit(std::string_view xml, const ParseOptions& options) {
  auto root = ParseXml(xml);
  if (!root.ok()) return Error{"junit: " + root.error().message};
  const XmlElement& e = **root;
  if (e.name != "testsuites" && e.name != "testsuite") {
    return Error{"junit: root element is <" + e.name + ">, expected <testsuites> or <testsuite>"};
  }
  TestReport r;
  ReadSuite(e, options, r);
  return r;
}

void Merge(TestReport& into, TestReport more) {
  into.tests += more.tests;
  into.failures += more.failures;
  into.errors += more.errors;
  into.skipped += more.skipped;
  into.time_seconds += more.time_seconds;
  for (Diagnostic& d : more.diagnostics) into.diagnostics.push_back(std::move(d));
}

}  // namespace gauntlet::gate
