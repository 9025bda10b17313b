#include "cli/diagnosis_view.h"

#include "cli/history.h"
#include "gate/report_json.h"

namespace gauntlet::cli {
namespace {

nlohmann::json ReportCountsJson(const gate::TestReport& t) {
  return {{"tests", t.tests},   {"passed", t.passed()}, {"failures", t.failures},
          {"errors", t.errors}, {"skipped", t.skipped}, {"time_seconds", t.time_seconds}};
}

}  // namespace

std::string ExitOf(const gate::DiagnosedJob& d) {
  return d.last_attempt ? DescribeExit(*d.last_attempt) : "-";
}

std::string DiagnosticLine(const gate::Diagnostic& d) {
  std::string line = gate::FormatLocation(d);
  if (!line.empty()) line += ": ";
  if (d.severity != gate::Severity::kError)
    line += std::string(gate::SeverityName(d.severity)) + ": ";
  line += d.message.substr(0, d.message.find('\n'));
  if (!d.rule.empty()) line += " [" + d.rule + "]";
  return line;
}

nlohmann::json DiagnosedJobJson(const gate::DiagnosedJob& d) {
  nlohmann::json j = {
      {"index", d.job.index},
      {"name", d.job.name},
      {"status", store::ToString(d.job.status)},
      {"reason", d.job.reason},
      {"attempts", d.job.attempts},
      {"exit", ExitOf(d)},
      {"category", d.diagnosis.category ? nlohmann::json(gate::CategoryName(*d.diagnosis.category))
                                        : nlohmann::json(nullptr)},
      {"parsers", d.parsers},
      {"diagnostics", gate::ToJson(d.diagnosis.diagnostics)},
      {"tests", d.tests ? ReportCountsJson(*d.tests) : nlohmann::json(nullptr)},
      {"suggestion", d.diagnosis.suggestion},
      {"log_tail", d.diagnosis.log_tail},
      {"warnings", d.diagnosis.warnings},
  };
  for (const std::string& w : d.report_warnings) j["warnings"].push_back(w);
  return j;
}

}  // namespace gauntlet::cli
