#include "cli/diagnosis_text.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

#include "engine/views_gate.h"
#include "engine/views_run.h"

namespace gauntlet::cli {
namespace {

std::string Short(const std::string& commit) {
  return commit.empty() ? "(none)" : commit.substr(0, 10);
}

const gate::DiagnosedJob* FindDiagnosis(const std::vector<gate::DiagnosedJob>& list, const std::string& name) {
  for (const auto& d : list) {
    if (d.job.name == name) return &d;
  }
  return nullptr;
}

// Per failed job: its category, the first diagnostics and the fix suggested.
void PrintDiagnosis(const gate::DiagnosedJob& d) {
  // The first few are what to fix; a compile error can cascade into hundreds.
  constexpr size_t kShown = 5;
  const auto& list = d.diagnosis.diagnostics;
  fmt::print("    category {}{}\n",
             d.diagnosis.category ? gate::CategoryName(*d.diagnosis.category) : "unknown",
             d.tests ? fmt::format(", tests: {} failed of {}", d.tests->failures + d.tests->errors,
                                   d.tests->tests)
                     : "");
  for (size_t i = 0; i < list.size() && i < kShown; ++i)
    fmt::print("    {}\n", DiagnosticLine(list[i]));
  if (list.size() > kShown)
    fmt::print("    ... and {} more (--json lists them all)\n", list.size() - kShown);
  if (list.empty()) fmt::print("    no diagnostics found in its log\n");
  if (!d.diagnosis.suggestion.empty()) fmt::print("    suggestion: {}\n", d.diagnosis.suggestion);
}

}  // namespace

std::string DiagnosticLine(const gate::Diagnostic& d) {
  std::string line = gate::FormatLocation(d);
  if (!line.empty()) line += ": ";
  if (d.severity != gate::Severity::kError)
    line += std::string(gate::SeverityName(d.severity)) + ": ";
  line += d.message.substr(0, d.message.find('\n'));
  if (!d.rule.empty()) line += " [" + d.rule + "]";
  return line;
}

void PrintDiagnoses(const store::RunRecord& run, const std::vector<gate::DiagnosedJob>& failed,
                const std::vector<std::string>& warnings) {
  fmt::print("run {}  {}  {}{}\n", run.id, run.pipeline, engine::ShownStatus(run),
             run.reason.empty() ? "" : " (" + run.reason + ")");
  for (const std::string& w : warnings) fmt::print("warning: {}\n", w);
  for (const gate::DiagnosedJob& d : failed) {
    fmt::print("\njob {}: failed, {}, {} attempt{}, category {}\n", d.job.name, engine::ExitOf(d),
               d.job.attempts, d.job.attempts == 1 ? "" : "s",
               d.diagnosis.category ? gate::CategoryName(*d.diagnosis.category) : "unknown");
    // "exit code 1" says again what the header says.
    if (!d.job.reason.empty() && !d.job.reason.starts_with("exit code"))
      fmt::print("  reason: {}\n", d.job.reason);
    if (d.tests)
      fmt::print("  tests: {} failed, {} passed, {} skipped of {}\n",
                 d.tests->failures + d.tests->errors, d.tests->passed(), d.tests->skipped,
                 d.tests->tests);
    // A compile error can cascade into hundreds: the first ones are what to fix.
    constexpr size_t kShown = 20;
    const auto& list = d.diagnosis.diagnostics;
    for (size_t i = 0; i < list.size() && i < kShown; ++i)
      fmt::print("  {}\n", DiagnosticLine(list[i]));
    if (list.size() > kShown)
      fmt::print("  ... and {} more (--json lists them all)\n", list.size() - kShown);
    if (d.diagnosis.diagnostics.empty()) {
      fmt::print("  no diagnostics found{}\n",
                 d.parsers.empty() ? " (no parser: set `diagnostics:` or `language:` on the job)"
                                   : " by " + fmt::format("{}", fmt::join(d.parsers, ", ")));
    }
    for (const std::string& w : d.diagnosis.warnings) fmt::print("  warning: {}\n", w);
    for (const std::string& w : d.report_warnings) fmt::print("  warning: {}\n", w);
    if (!d.diagnosis.suggestion.empty()) fmt::print("  suggestion: {}\n", d.diagnosis.suggestion);
    if (!d.diagnosis.log_tail.empty()) {
      fmt::print("  end of the log:\n");
      std::string_view tail = d.diagnosis.log_tail;
      for (size_t start = 0; start < tail.size();) {
        size_t nl = tail.find('\n', start);
        if (nl == std::string_view::npos) nl = tail.size();
        fmt::print("  | {}\n", tail.substr(start, nl - start));
        start = nl + 1;
      }
    }
  }
}

void PrintVerdict(const gate::Assessment& a, const std::vector<gate::DiagnosedJob>& diagnoses,
                  bool color) {
  const gate::Verdict& v = a.verdict;
  const char* paint = v.decision == gate::Decision::kAutoMerge       ? "\033[1;32m"
                      : v.decision == gate::Decision::kNeedsApproval ? "\033[1;33m"
                                                                     : "\033[1;31m";
  fmt::print("gate: {}{}{}\n", color ? paint : "", gate::ToString(v.decision),
             color ? "\033[0m" : "");
  int added = 0, deleted = 0;
  for (const auto& f : a.risk.files) {
    added += f.added;
    deleted += f.deleted;
  }
  fmt::print("  change  {}..{}: {} commit{}, {} file{}, +{} -{} lines, size {} ({})\n",
             Short(a.range.base), Short(a.range.head), a.identity.commits.size(),
             a.identity.commits.size() == 1 ? "" : "s", a.risk.files.size(),
             a.risk.files.size() == 1 ? "" : "s", added, deleted, gate::ToString(a.risk.size),
             a.range.how);
  std::string who = a.identity.author.name + " <" + a.identity.author.email + ">";
  if (a.identity.by_agent()) {
    who += "; agent " + a.identity.agent_by;
    if (!a.identity.task_id.empty()) who += ", task " + a.identity.task_id;
    if (!a.identity.model.empty()) who += ", model " + a.identity.model;
  }
  fmt::print("  author  {}\n", who);
  std::string risky;
  for (const auto& f : a.risk.files) {
    if (f.risk == a.risk.risk && risky.size() < 120) {
      risky += (risky.empty() ? "" : ", ") + f.path;
    }
  }
  fmt::print("  risk    {}{}\n", gate::ToString(a.risk.risk),
             risky.empty() ? "" : " (" + risky + ")");
  for (const auto& t : a.trust) {
    fmt::print("  trust   {}: {}{}\n", t.key, t.standing.why,
               t.standing.next.empty() ? "" : "; next: " + t.standing.next);
  }
  if (a.trust.empty()) fmt::print("  trust   L0: no author\n");
  fmt::print("  run     {} ({}) of {} on {}\n", a.run.id, store::ToString(a.run.status),
             Short(a.run.git_commit), a.run.git_branch.empty() ? "-" : a.run.git_branch);
  fmt::print("checks\n");
  for (const auto& c : v.checks) {
    fmt::print("  {:<15} {:<18} {}\n", gate::ToString(c.status), c.name, c.message);
  }
  if (!v.failed_jobs.empty()) {
    fmt::print("failed jobs\n");
    const bool any_failed = std::any_of(v.failed_jobs.begin(), v.failed_jobs.end(),
                                        [](const auto& f) { return f.status == "failed"; });
    std::string not_run;
    for (const auto& f : v.failed_jobs) {
      if (any_failed && f.status != "failed") {
        not_run += (not_run.empty() ? "" : ", ") + f.name;
        continue;
      }
      fmt::print("  {} ({}){}\n", f.name, f.status, f.reason.empty() ? "" : ": " + f.reason);
      if (const gate::DiagnosedJob* d = FindDiagnosis(diagnoses, f.name)) PrintDiagnosis(*d);
    }
    if (!not_run.empty()) fmt::print("  did not run because of them: {}\n", not_run);
  }
  // The diagnoses above list the failed tests of the failed jobs already.
  if (diagnoses.empty() && a.tests && !a.tests->diagnostics.empty()) {
    fmt::print("failed tests\n");
    for (const auto& d : a.tests->diagnostics) {
      fmt::print("  {}: {}\n", gate::FormatLocation(d), d.message.substr(0, d.message.find('\n')));
    }
  }
  for (const auto& n : a.notes) fmt::print("note: {}\n", n);
  if (v.decision == gate::Decision::kReject) {
    fmt::print(
        "next: `gauntlet diagnose {}` lists every failure with the end of each log (also as "
        "SARIF)\n",
        a.run.id);
  }
}

}  // namespace gauntlet::cli
