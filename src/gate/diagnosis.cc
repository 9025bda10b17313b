#include "gate/diagnosis.h"

#include <algorithm>

#include "gate/parsers.h"
#include "gate/suggest.h"

namespace gauntlet::gate {

std::string LastLines(std::string_view text, int n) {
  if (n <= 0 || text.empty()) return "";
  size_t end = text.size();
  if (text.back() == '\n') --end;  // the final newline ends the last line
  size_t begin = end;
  for (int lines = 0; begin > 0; --begin) {
    if (text[begin - 1] == '\n' && ++lines == n) break;
  }
  std::string out(text.substr(begin, end - begin));
  out += '\n';
  return out;
}

JobDiagnosis DiagnoseJob(const JobDiagnosisInput& input) {
  JobDiagnosis out;
  // Parsers run without a root: every path is then mapped from the job's
  // directory by RepoPaths, absolute and relative alike.
  for (const std::string& name : input.parsers) {
    auto found = ParseDiagnostics(name, input.log);
    if (!found.ok()) {
      out.warnings.push_back(found.error().message);
      continue;
    }
    out.diagnostics.insert(out.diagnostics.end(), found->begin(), found->end());
  }
  if (!input.matchers.empty()) {
    std::vector<Diagnostic> found = RunProblemMatchers(input.matchers, input.log);
    out.diagnostics.insert(out.diagnostics.end(), found.begin(), found.end());
  }
  if (input.paths != nullptr) input.paths->Apply(out.diagnostics);
  if (input.junit != nullptr) {
    for (const Diagnostic& t : input.junit->diagnostics) {
      // pytest in the log and its JUnit report name the same failures.
      bool shown =
          std::any_of(out.diagnostics.begin(), out.diagnostics.end(), [&](const Diagnostic& d) {
            return d.category == Category::kTest && t.line > 0 && d.file == t.file &&
                   d.line == t.line;
          });
      if (!shown) out.diagnostics.push_back(t);
    }
  }
  if (const Diagnostic* first = FirstToFix(out.diagnostics)) out.category = first->category;
  out.suggestion = SuggestFix(out.diagnostics);
  out.log_tail = LastLines(input.log, input.tail_lines);
  return out;
}

}  // namespace gauntlet::gate
