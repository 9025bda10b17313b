#include "gate/report_json.h"

#include <string>

namespace gauntlet::gate {
namespace {

const char* FormatName(CoverageFormat f) {
  switch (f) {
    case CoverageFormat::kLcov:
      return "lcov";
    case CoverageFormat::kCobertura:
      return "cobertura";
    case CoverageFormat::kIstanbulSummary:
      return "istanbul-summary";
  }
  return "lcov";
}

Result<CoverageFormat> ParseFormat(const std::string& name) {
  if (name == "lcov") return CoverageFormat::kLcov;
  if (name == "cobertura") return CoverageFormat::kCobertura;
  if (name == "istanbul-summary") return CoverageFormat::kIstanbulSummary;
  return Error{"coverage report: unknown format '" + name +
               "' (valid: lcov, cobertura, istanbul-summary)"};
}

}  // namespace

nlohmann::json ToJson(const TestReport& r) {
  return {{"tests", r.tests},       {"failures", r.failures},
          {"errors", r.errors},     {"skipped", r.skipped},
          {"time_seconds", r.time_seconds}, {"diagnostics", ToJson(r.diagnostics)}};
}

Result<TestReport> TestReportFromJson(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"junit report: not a JSON object"};
  try {
    TestReport r;
    r.tests = j.at("tests").get<int>();
    r.failures = j.value("failures", 0);
    r.errors = j.value("errors", 0);
    r.skipped = j.value("skipped", 0);
    r.time_seconds = j.value("time_seconds", 0.0);
    if (j.contains("diagnostics")) {
      for (const auto& d : j.at("diagnostics")) {
        auto diag = DiagnosticFromJson(d);
        if (!diag.ok()) return Error{"junit report: " + diag.error().message};
        r.diagnostics.push_back(std::move(diag).value());
      }
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Error{std::string("junit report: ") + e.what()};
  }
}

nlohmann::json ToJson(const Coverage& c) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : c.files) {
    files.push_back({{"file", f.file},
                     {"covered", f.covered},
                     {"uncovered", f.uncovered},
                     {"lines_total", f.lines_total},
                     {"lines_covered", f.lines_covered},
                     {"branches_total", f.branches_total},
                     {"branches_covered", f.branches_covered}});
  }
  return {{"format", FormatName(c.format)},
          {"has_line_sets", c.has_line_sets},
          {"lines_total", c.lines_total},
          {"lines_covered", c.lines_covered},
          {"branches_total", c.branches_total},
          {"branches_covered", c.branches_covered},
          {"files", std::move(files)}};
}

Result<Coverage> CoverageFromJson(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"coverage report: not a JSON object"};
  try {
    Coverage c;
    auto format = ParseFormat(j.value("format", "lcov"));
    if (!format.ok()) return format.error();
    c.format = *format;
    c.has_line_sets = j.value("has_line_sets", false);
    c.lines_total = j.at("lines_total").get<int>();
    c.lines_covered = j.at("lines_covered").get<int>();
    c.branches_total = j.value("branches_total", 0);
    c.branches_covered = j.value("branches_covered", 0);
    if (j.contains("files")) {
      for (const auto& f : j.at("files")) {
        FileCoverage fc;
        fc.file = f.at("file").get<std::string>();
        fc.covered = f.value("covered", std::set<int>{});
        fc.uncovered = f.value("uncovered", std::set<int>{});
        fc.lines_total = f.value("lines_total", 0);
        fc.lines_covered = f.value("lines_covered", 0);
        fc.branches_total = f.value("branches_total", 0);
        fc.branches_covered = f.value("branches_covered", 0);
        c.files.push_back(std::move(fc));
      }
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    return Error{std::string("coverage report: ") + e.what()};
  }
}

}  // namespace gauntlet::gate
