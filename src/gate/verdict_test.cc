#include "gate/verdict.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

using store::JobStatus;

store::JobRecord Job(const std::string& name, JobStatus status, const std::string& reason = "") {
  store::JobRecord j;
  j.name = name;
  j.status = status;
  j.reason = reason;
  return j;
}

GateInputs Green() {
  GateInputs in;
  in.run.id = 7;
  in.run.status = store::RunStatus::kSuccess;
  in.jobs = {Job("build", JobStatus::kSuccess), Job("unit (locale=en)", JobStatus::kSuccess),
             Job("docs", JobStatus::kSkipped,
                 "no relevant changes: 1 file changed, all match "
                 "ignore"),
             Job("lint", JobStatus::kCached)};
  in.risk = RiskClass::kLow;
  in.trust = TrustLevel::kL1;
  return in;
}

const Check& Find(const Verdict& v, const std::string& name) {
  for (const Check& c : v.checks) {
    if (c.name == name) return c;
  }
  static const Check kNone;
  ADD_FAILURE() << "no check " << name;
  return kNone;
}

Coverage Lines(const std::string& file, std::set<int> covered, std::set<int> uncovered) {
  Coverage c;
  c.has_line_sets = true;
  FileCoverage f;
  f.file = file;
  f.covered = std::move(covered);
  f.uncovered = std::move(uncovered);
  f.lines_covered = static_cast<int>(f.covered.size());
  f.lines_total = f.lines_covered + static_cast<int>(f.uncovered.size());
  c.lines_total = f.lines_total;
  c.lines_covered = f.lines_covered;
  c.files.push_back(f);
  return c;
}

TEST(VerdictTest, GreenAndWithinTrustAutoMerges) {
  Verdict v = Decide(Green());
  EXPECT_EQ(v.decision, Decision::kAutoMerge);
  EXPECT_EQ(ExitCodeFor(v.decision), 0);
  EXPECT_EQ(Find(v, "jobs").status, CheckStatus::kPass);
  EXPECT_EQ(Find(v, "jobs").value["passed"], 4);
  EXPECT_EQ(Find(v, "tests").status, CheckStatus::kSkipped);
  EXPECT_EQ(Find(v, "risk").message, "low risk is within L1 (may merge up to low alone)");
}

TEST(VerdictTest, FailedRequiredJobRejectsAndIsNamed) {
  GateInputs in = Green();
  in.jobs.push_back(Job("unit (locale=fr)", JobStatus::kFailed, "exit 1"));
  in.jobs.push_back(Job("package", JobStatus::kSkipped, "a needed job failed"));
  Verdict v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kReject);
  EXPECT_EQ(ExitCodeFor(v.decision), kExitReject);
  ASSERT_EQ(v.failed_jobs.size(), 2u);
  EXPECT_EQ(v.failed_jobs[0].name, "unit (locale=fr)");
  EXPECT_EQ(v.failed_jobs[0].reason, "exit 1");
  EXPECT_EQ(v.reasons[0], "1 of 6 required jobs failed: unit (locale=fr); 1 more did not run");
}

TEST(VerdictTest, OnlyRequiredJobsCountAndMatrixInstancesBelongToTheirJob) {
  GateInputs in = Green();
  in.jobs.push_back(Job("flaky", JobStatus::kFailed));
  in.jobs.push_back(Job("deploy", JobStatus::kSkipped, "if: branch == 'main' is false"));
  in.required = {"build", "unit"};
  EXPECT_EQ(Decide(in).decision, Decision::kAutoMerge);
  in.required = {"build", "deploy"};  // required explicitly: a job that did not run fails
  EXPECT_EQ(Decide(in).decision, Decision::kReject);
  in.required = {"build", "e2e"};
  Verdict v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kNeedsApproval);
  EXPECT_EQ(v.reasons[0], "required jobs not in run 7: e2e");
  in.required.clear();  // every job: the `if:`-skipped one did not apply, the failed one counts
  EXPECT_EQ(Decide(in).decision, Decision::kReject);
}

TEST(VerdictTest, BeyondTrustNeedsApproval) {
  GateInputs in = Green();
  in.risk = RiskClass::kHigh;
  in.trust = TrustLevel::kL2;
  Verdict v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kNeedsApproval);
  EXPECT_EQ(ExitCodeFor(v.decision), kExitNeedsApproval);
  EXPECT_EQ(Find(v, "risk").threshold, "medium");
  EXPECT_EQ(v.reasons,
            std::vector<std::string>{"high risk is beyond L2 (may merge up to medium alone)"});
  in.trust = TrustLevel::kL3;
  EXPECT_EQ(Decide(in).decision, Decision::kAutoMerge);
  in.risk = RiskClass::kCritical;
  EXPECT_EQ(Decide(in).decision, Decision::kNeedsApproval);
  in.risk = RiskClass::kLow;
  in.trust = TrustLevel::kL0;
  EXPECT_EQ(Decide(in).reasons[0], "low risk, author at L0: every change needs a person");
}

TEST(VerdictTest, FixAttemptsEscalate) {
  GateInputs in = Green();
  in.fix_attempts = 2;
  EXPECT_EQ(Decide(in).decision, Decision::kAutoMerge);
  EXPECT_EQ(Find(Decide(in), "fix_attempts").status, CheckStatus::kPass);
  in.fix_attempts = 4;  // past the limit, not only at it
  EXPECT_EQ(Decide(in).decision, Decision::kNeedsApproval);
  in.fix_attempts = 3;
  Verdict v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kNeedsApproval);
  EXPECT_EQ(Find(v, "fix_attempts").status, CheckStatus::kNeedsApproval);
  EXPECT_EQ(Find(v, "fix_attempts").value, 3);
  EXPECT_EQ(Find(v, "fix_attempts").threshold, 3);
  in.jobs.push_back(Job("unit (locale=de)", JobStatus::kFailed));
  v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kReject);
  EXPECT_EQ(v.reasons.back(), "3 failed attempts on this change (limit 3): a person takes over");
}

TEST(VerdictTest, TestsAndCoverageThresholds) {
  GateInputs in = Green();
  in.tests = TestReport{};
  in.tests->tests = 10;
  in.tests->failures = 1;
  EXPECT_EQ(Decide(in).decision, Decision::kReject);
  in.tests->failures = 0;

  in.min_line = 80;
  Verdict none = Decide(in);
  EXPECT_EQ(none.decision, Decision::kNeedsApproval);
  EXPECT_EQ(none.reasons[0], "no coverage report in run 7: line coverage cannot be judged");

  in.coverage = Lines("src/a.c", {1, 2, 3, 4, 5, 6, 7}, {8, 9, 10});
  Verdict low = Decide(in);
  EXPECT_EQ(low.decision, Decision::kReject);
  EXPECT_EQ(Find(low, "coverage.line").value, 70.0);
  EXPECT_EQ(Find(low, "coverage.line").threshold, 80.0);
  in.min_line = 70;
  EXPECT_EQ(Decide(in).decision, Decision::kAutoMerge);

  in.min_new_code = 75;
  in.changed_lines = {{"src/a.c", {1, 2, 8, 11}}, {"README.md", {1}}};
  Verdict fresh = Decide(in);
  EXPECT_EQ(fresh.decision, Decision::kReject);
  const Check& nc = Find(fresh, "coverage.new_code");
  EXPECT_EQ(nc.value["executable"], 3);
  EXPECT_EQ(nc.value["covered"], 2);
  EXPECT_EQ(nc.value["uncovered"]["src/a.c"], nlohmann::json::array({8}));
  EXPECT_EQ(nc.message, "new-code coverage 66.7% (2 of 3 changed lines) < 75.0%");
  in.changed_lines = {{"README.md", {1}}};
  EXPECT_EQ(Decide(in).decision, Decision::kAutoMerge);  // nothing executable changed
}

// 7 of 10 lines covered: 70%. A threshold just above fails, exactly 70 and just below pass.
TEST(VerdictTest, LineCoverageOnBothSidesOfTheThreshold) {
  GateInputs in = Green();
  in.coverage = Lines("src/a.c", {1, 2, 3, 4, 5, 6, 7}, {8, 9, 10});
  in.min_line = 70.1;
  EXPECT_EQ(Find(Decide(in), "coverage.line").status, CheckStatus::kFail);
  EXPECT_EQ(Decide(in).decision, Decision::kReject);
  in.min_line = 70;
  Verdict at = Decide(in);
  EXPECT_EQ(Find(at, "coverage.line").status, CheckStatus::kPass);
  EXPECT_EQ(Find(at, "coverage.line").message, "line coverage 70.0% >= 70.0%");
  EXPECT_EQ(at.decision, Decision::kAutoMerge);
  in.min_line = 69.9;
  EXPECT_EQ(Find(Decide(in), "coverage.line").status, CheckStatus::kPass);
}

// 2 of the 4 changed executable lines are covered: 50%.
TEST(VerdictTest, NewCodeCoverageOnBothSidesOfTheThreshold) {
  GateInputs in = Green();
  in.coverage = Lines("src/a.c", {1, 2, 3, 4, 5, 6, 7}, {8, 9, 10});
  in.changed_lines = {{"src/a.c", {1, 2, 8, 9}}};
  in.min_new_code = 50.1;
  Verdict above = Decide(in);
  EXPECT_EQ(Find(above, "coverage.new_code").status, CheckStatus::kFail);
  EXPECT_EQ(above.decision, Decision::kReject);
  EXPECT_EQ(above.reasons,
            std::vector<std::string>{"new-code coverage 50.0% (2 of 4 changed lines) < 50.1%"});

  in.min_new_code = 50;
  Verdict at = Decide(in);
  const Check& nc = Find(at, "coverage.new_code");
  EXPECT_EQ(nc.status, CheckStatus::kPass);
  EXPECT_EQ(nc.message, "new-code coverage 50.0% (2 of 4 changed lines) >= 50.0%");
  EXPECT_EQ(nc.value["percent"], 50.0);
  EXPECT_EQ(at.decision, Decision::kAutoMerge);

  in.min_new_code = 49.9;
  EXPECT_EQ(Find(Decide(in), "coverage.new_code").status, CheckStatus::kPass);
}

// A change whose added lines are all covered passes a high bar, and the decision follows.
TEST(VerdictTest, WellCoveredNewCodePasses) {
  GateInputs in = Green();
  in.coverage = Lines("src/a.c", {1, 2, 3, 4, 5, 6, 7}, {8, 9, 10});
  in.min_new_code = 90;
  in.changed_lines = {{"src/a.c", {2, 3, 4}}};
  Verdict v = Decide(in);
  const Check& nc = Find(v, "coverage.new_code");
  EXPECT_EQ(nc.status, CheckStatus::kPass);
  EXPECT_EQ(nc.value["percent"], 100.0);
  EXPECT_EQ(nc.value["covered"], 3);
  EXPECT_EQ(nc.value["uncovered"], nlohmann::json::object());
  EXPECT_EQ(v.decision, Decision::kAutoMerge);
}

// docs/gates.md: a coverage-summary.json has no per-line data: new-code coverage needs a
// person rather than a guess; line coverage is still judged from its totals.
TEST(VerdictTest, NewCodeCoverageWithoutLineDataNeedsAPerson) {
  GateInputs in = Green();
  Coverage summary;
  summary.has_line_sets = false;
  summary.lines_total = 10;
  summary.lines_covered = 9;
  in.coverage = summary;
  in.min_line = 80;
  in.min_new_code = 50;
  in.changed_lines = {{"src/a.c", {1, 2}}};
  Verdict v = Decide(in);
  EXPECT_EQ(Find(v, "coverage.line").status, CheckStatus::kPass);
  EXPECT_EQ(Find(v, "coverage.new_code").status, CheckStatus::kNeedsApproval);
  EXPECT_EQ(v.decision, Decision::kNeedsApproval);
  EXPECT_EQ(v.reasons, std::vector<std::string>{"the coverage report has no per-line data: "
                                                "new-code coverage cannot be judged"});
}

TEST(VerdictTest, UnfinishedRunNeedsAPersonUnlessAJobFailed) {
  GateInputs in = Green();
  in.run.status = store::RunStatus::kRunning;
  EXPECT_EQ(Decide(in).decision, Decision::kNeedsApproval);
  in.run.status = store::RunStatus::kCancelled;
  in.jobs.push_back(Job("unit (locale=fr)", JobStatus::kCancelled, "run cancelled"));
  Verdict v = Decide(in);
  EXPECT_EQ(v.decision, Decision::kNeedsApproval);
  EXPECT_EQ(v.reasons[0], "run 7 did not finish (cancelled): judge a finished run");
  in.jobs.push_back(Job("unit (locale=de)", JobStatus::kFailed, "exit 1"));
  EXPECT_EQ(Decide(in).decision, Decision::kReject);  // a real failure all the same
}

TEST(VerdictTest, MergedCoverageUnitesLines) {
  Coverage unit = Lines("src/a.c", {1, 2}, {3, 4});
  Coverage integ = Lines("src/a.c", {3}, {1, 2, 4});
  Coverage other = Lines("src/b.c", {1}, {});
  Coverage m = MergeCoverage({unit, integ, other});
  EXPECT_EQ(m.lines_total, 5);
  EXPECT_EQ(m.lines_covered, 4);
  ASSERT_NE(m.Find("src/a.c"), nullptr);
  EXPECT_EQ(m.Find("src/a.c")->uncovered, std::set<int>{4});
}

// A run the pipeline's `changes:` filter skipped: every job is recorded skipped with
// the run's reason. Nothing ran, so the change is judged by risk and trust alone.
GateInputs SkippedRun() {
  GateInputs in;
  in.run.id = 9;
  in.run.status = store::RunStatus::kSkipped;
  in.run.reason = "no relevant changes: 1 file changed, all match ignore";
  const std::string why = "run skipped: " + in.run.reason;
  in.jobs = {Job("build", JobStatus::kSkipped, why), Job("unit", JobStatus::kSkipped, why)};
  in.required = {"build"};
  in.min_line = 80;
  in.min_new_code = 90;
  in.risk = RiskClass::kLow;
  in.trust = TrustLevel::kL1;
  return in;
}

TEST(VerdictTest, ARunSkippedByThePipelineChangeFilterIsJudgedByRiskAndTrustAlone) {
  Verdict v = Decide(SkippedRun());
  EXPECT_EQ(v.decision, Decision::kAutoMerge) << (v.reasons.empty() ? "" : v.reasons[0]);
  EXPECT_EQ(Find(v, "jobs").status, CheckStatus::kPass);
  EXPECT_EQ(Find(v, "jobs").message,
            "run 9 skipped by its change filter (no relevant changes: 1 file changed, all "
            "match ignore): no job had to run");
  EXPECT_EQ(Find(v, "coverage.line").status, CheckStatus::kSkipped);
  EXPECT_EQ(Find(v, "coverage.new_code").status, CheckStatus::kSkipped);
  EXPECT_TRUE(v.failed_jobs.empty());

  GateInputs risky = SkippedRun();
  risky.risk = RiskClass::kHigh;
  EXPECT_EQ(Decide(risky).decision, Decision::kNeedsApproval) << "risk still counts";

  // Skipped for another reason (a needed job failed, cancelled): not a pass.
  GateInputs other = SkippedRun();
  other.run.reason = "cancelled";
  for (auto& j : other.jobs) j.reason = "a needed job failed";
  EXPECT_EQ(Decide(other).decision, Decision::kReject);
}

}  // namespace
}  // namespace gauntlet::gate
