#include "gate/junit.h"

#include <cstdlib>

#include <re2/re2.h>

#include "gate/text.h"
#include "gate/xml.h"

namespace gauntlet::gate {

namespace {

// Where a failure happened, read from its text when the producer did not say:
// pytest's "file.py:10: AssertionError" (the last such line), a stack frame
// "(/src/sum.test.js:5:18)" or "(BarTest.java:42)" outside node_modules,
// go's "    calc_test.go:7: message".
void LocateFromText(const std::string& text, Diagnostic& d) {
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
  in = re2::StringPiece(text);
  while (RE2::FindAndConsume(&in, kFrame, &file, &line_s, &col_s)) {
    if (file.find("node_modules") != std::string::npos) continue;
    d.file = file;
    d.line = ToInt(line_s);
    d.col = ToInt(col_s);
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
    const std::string& classname = tc.Attr("classname");
    d.rule = classname.empty() ? tc.Attr("name") : classname + "::" + tc.Attr("name");
    d.message = child->Attr("message");
    if (d.message.empty()) d.message = FirstLine(child->text);
    if (d.message.empty()) d.message = failure ? "test failed" : "test errored";
    if (!tc.Attr("file").empty()) {
      d.file = tc.Attr("file");
      d.line = ToInt(tc.Attr("line"));
    } else {
      LocateFromText(child->text, d);
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
