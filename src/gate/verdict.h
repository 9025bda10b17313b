// The gate's verdict on a change: each check with its numbers, and the decision.
//
//   reject          something failed: a required job, a test, a coverage threshold
//   needs-approval  green, but the risk is beyond what the author's trust level may
//                   merge alone, the fix attempts are used up, or something could
//                   not be judged (no coverage report, a required job not in the run)
//   auto-merge      everything green and within the author's trust
//
// Pure: the inputs are gathered by gate/assess.h.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gate/coverage.h"
#include "gate/junit.h"
#include "gate/risk.h"
#include "gate/trust.h"
#include "store/records.h"

namespace gauntlet::gate {

enum class Decision { kAutoMerge, kNeedsApproval, kReject };
std::string_view ToString(Decision d);  // "auto-merge", "needs-approval", "reject"

// The process exit code of `gauntlet gate` for a decision: 0, 10, 11 (docs/gates.md);
// outside 1-4 and 130, which keep their meanings for errors.
int ExitCodeFor(Decision d);
inline constexpr int kExitNeedsApproval = 10;
inline constexpr int kExitReject = 11;

enum class CheckStatus { kPass, kFail, kNeedsApproval, kSkipped };
std::string_view ToString(CheckStatus s);  // "pass", "fail", "needs-approval", "skipped"

struct Check {
  std::string
      name;  // "jobs", "tests", "coverage.line", "coverage.new_code", "risk", "fix_attempts"
  CheckStatus status = CheckStatus::kSkipped;
  nlohmann::json value;      // what was measured
  nlohmann::json threshold;  // what it had to be
  std::string message;       // one line for people
};

struct GateInputs {
  store::RunRecord run;
  std::vector<store::JobRecord> jobs;
  std::vector<std::string> required;   // spec job names; empty: every job of the run
  std::optional<TestReport> tests;     // the run's JUnit reports merged; none: no report
  std::optional<Coverage> coverage;    // the run's coverage reports merged; none: no report
  std::optional<double> min_line;      // gates.coverage.min_line
  std::optional<double> min_new_code;  // gates.coverage.new_code_line
  std::map<std::string, std::set<int>> changed_lines;
  RiskClass risk = RiskClass::kMedium;
  TrustLevel trust = TrustLevel::kL0;
  int fix_attempts = 0;
  int max_fix_attempts = 3;
};

struct FailedJob {
  std::string name;
  std::string status;  // "failed", "cancelled", "skipped", ...
  std::string reason;
};

struct Verdict {
  Decision decision = Decision::kReject;
  std::vector<Check> checks;
  std::vector<std::string> reasons;    // the messages of the checks that decided
  std::vector<FailedJob> failed_jobs;  // required jobs that did not pass
};

// Whether a job record counts as passed: success, cached, or skipped by a change
// filter: its own (reason "no relevant changes: ...") or the pipeline's, which skips the
// whole run (reason "run skipped: no relevant changes: ...").
bool JobPassed(const store::JobRecord& job);

// Whether the pipeline's `changes:` filter skipped the run: nothing ran, so the change is
// judged by its risk and its author's trust alone (coverage thresholds are not applied).
bool RunSkippedByChangeFilter(const store::RunRecord& run);

Verdict Decide(const GateInputs& in);

// Several jobs' coverage reports as one: per-file line sets are united (a line run
// by any job is covered); totals are summed when a report has no line sets.
Coverage MergeCoverage(const std::vector<Coverage>& reports);

}  // namespace gauntlet::gate
