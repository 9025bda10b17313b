#include "gate/verdict.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace gauntlet::gate {
namespace {

using nlohmann::json;

double Round1(double v) { return std::round(v * 10) / 10; }

// The reasons cache::Decide gives, and the one a run skipped by it gives its jobs.
constexpr std::string_view kNoRelevantChanges = "no relevant changes";
constexpr std::string_view kRunSkippedNoRelevantChanges = "run skipped: no relevant changes";

// The coverage checks of a run that its change filter skipped: nothing ran to cover.
bool NothingToCover(const GateInputs& in, Check& c) {
  if (!RunSkippedByChangeFilter(in.run)) return false;
  c.message = fmt::format("run {} was skipped by its change filter: nothing ran to cover",
                          in.run.id);
  return true;
}

// A concrete job of spec job `name`: the job itself or one of its matrix
// combinations ("unit (python=3.12)").
bool IsInstanceOf(const std::string& concrete, const std::string& name) {
  return concrete == name || concrete.starts_with(name + " (");
}

bool SkippedByCondition(const store::JobRecord& job) {
  return job.status == store::JobStatus::kSkipped && job.reason.starts_with("if: ");
}

Check JobsCheck(const GateInputs& in, std::vector<FailedJob>* failed) {
  Check c;
  c.name = "jobs";
  const bool all = in.required.empty();
  int passed = 0, considered = 0;
  std::vector<std::string> missing;
  auto judge = [&](const store::JobRecord& j) {
    ++considered;
    // Every job is required by default; one whose `if:` was false did not apply.
    if (JobPassed(j) || (all && SkippedByCondition(j))) {
      ++passed;
    } else {
      failed->push_back({j.name, std::string(store::ToString(j.status)), j.reason});
    }
  };
  if (all) {
    for (const auto& j : in.jobs) judge(j);
  } else {
    for (const std::string& r : in.required) {
      bool found = false;
      for (const auto& j : in.jobs) {
        if (IsInstanceOf(j.name, r)) {
          judge(j);
          found = true;
        }
      }
      if (!found) missing.push_back(r);
    }
  }
  c.value = {{"passed", passed}, {"jobs", considered}};
  if (!missing.empty()) c.value["missing"] = missing;
  c.threshold = all ? json("every job") : json(in.required);
  // A run that did not finish (still going, cancelled, interrupted) cannot vouch for the
  // change, but only a job that really failed makes it a reject.
  const bool finished = in.run.status != store::RunStatus::kRunning &&
                        in.run.status != store::RunStatus::kQueued &&
                        in.run.status != store::RunStatus::kCancelled &&
                        in.run.status != store::RunStatus::kInterrupted;
  const bool job_failed = std::any_of(failed->begin(), failed->end(), [](const FailedJob& f) {
    return f.status == store::ToString(store::JobStatus::kFailed);
  });
  if (job_failed || (finished && !failed->empty())) {
    c.status = CheckStatus::kFail;
    // Name the jobs that failed; the ones skipped or cancelled because of them are counted.
    std::string names;
    int others = 0;
    for (const auto& f : *failed) {
      const bool really = f.status == store::ToString(store::JobStatus::kFailed);
      if (really || !job_failed) {
        names += (names.empty() ? "" : ", ") + f.name;
      } else {
        ++others;
      }
    }
    const size_t named = failed->size() - others;
    c.message = fmt::format("{} of {} required jobs {}: {}", named, considered,
                            job_failed ? "failed" : "did not pass", names);
    if (others > 0) c.message += fmt::format("; {} more did not run", others);
  } else if (!finished) {
    c.status = CheckStatus::kNeedsApproval;
    c.message = fmt::format("run {} did not finish ({}): judge a finished run", in.run.id,
                            store::ToString(in.run.status));
  } else if (!missing.empty()) {
    c.status = CheckStatus::kNeedsApproval;
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    c.message = fmt::format("required jobs not in run {}: {}", in.run.id, names);
  } else {
    c.status = CheckStatus::kPass;
    c.message = RunSkippedByChangeFilter(in.run)
                    ? fmt::format("run {} skipped by its change filter ({}): no job had to run",
                                  in.run.id, in.run.reason)
                    : fmt::format("{} of {} required jobs passed", passed, considered);
  }
  return c;
}

Check TestsCheck(const GateInputs& in) {
  Check c;
  c.name = "tests";
  c.threshold = {{"failed", 0}};
  if (!in.tests) {
    c.message = "no test report";
    return c;
  }
  const int failed = in.tests->failures + in.tests->errors;
  c.value = {{"tests", in.tests->tests}, {"failed", failed}, {"skipped", in.tests->skipped}};
  c.status = failed == 0 ? CheckStatus::kPass : CheckStatus::kFail;
  c.message = failed == 0 ? fmt::format("{} tests, none failed", in.tests->tests)
                          : fmt::format("{} of {} tests failed", failed, in.tests->tests);
  return c;
}

Check LineCoverageCheck(const GateInputs& in) {
  Check c;
  c.name = "coverage.line";
  if (in.min_line) c.threshold = *in.min_line;
  if (in.coverage) c.value = Round1(in.coverage->LinePercent());
  if (in.min_line && NothingToCover(in, c)) return c;
  if (!in.min_line) {
    c.message = "no gates.coverage.min_line";
  } else if (!in.coverage) {
    c.status = CheckStatus::kNeedsApproval;
    c.message =
        fmt::format("no coverage report in run {}: line coverage cannot be judged", in.run.id);
  } else {
    const double pct = in.coverage->LinePercent();
    c.status = pct + 1e-9 >= *in.min_line ? CheckStatus::kPass : CheckStatus::kFail;
    c.message = fmt::format("line coverage {:.1f}% {} {:.1f}%", pct,
                            c.status == CheckStatus::kPass ? ">=" : "<", *in.min_line);
  }
  return c;
}

Check NewCodeCheck(const GateInputs& in) {
  Check c;
  c.name = "coverage.new_code";
  if (in.min_new_code) c.threshold = *in.min_new_code;
  if (!in.min_new_code) {
    c.message = "no gates.coverage.new_code_line";
    return c;
  }
  if (NothingToCover(in, c)) return c;
  if (!in.coverage || !in.coverage->has_line_sets) {
    c.status = CheckStatus::kNeedsApproval;
    c.message = in.coverage ? "the coverage report has no per-line data: new-code coverage "
                              "cannot be judged"
                            : fmt::format(
                                  "no coverage report in run {}: new-code coverage "
                                  "cannot be judged",
                                  in.run.id);
    return c;
  }
  NewCodeResult r = NewCodeCoverage(*in.coverage, in.changed_lines);
  json uncovered = json::object();
  for (const auto& [file, lines] : r.uncovered) uncovered[file] = lines;
  c.value = {{"percent", Round1(r.Percent())},
             {"executable", r.executable},
             {"covered", r.covered},
             {"uncovered", uncovered}};
  if (r.executable == 0) {
    c.status = CheckStatus::kPass;
    c.message = "no executable line changed";
    return c;
  }
  c.status = r.Percent() + 1e-9 >= *in.min_new_code ? CheckStatus::kPass : CheckStatus::kFail;
  c.message = fmt::format("new-code coverage {:.1f}% ({} of {} changed lines) {} {:.1f}%",
                          r.Percent(), r.covered, r.executable,
                          c.status == CheckStatus::kPass ? ">=" : "<", *in.min_new_code);
  return c;
}

Check RiskCheck(const GateInputs& in) {
  Check c;
  c.name = "risk";
  c.value = {{"risk", ToString(in.risk)}, {"trust", ToString(in.trust)}};
  c.threshold = MaxRiskFor(in.trust);
  if (MayMergeAlone(in.trust, in.risk)) {
    c.status = CheckStatus::kPass;
    c.message = fmt::format("{} risk is within {} (may merge up to {} alone)", ToString(in.risk),
                            ToString(in.trust), MaxRiskFor(in.trust));
  } else {
    c.status = CheckStatus::kNeedsApproval;
    c.message =
        in.trust == TrustLevel::kL0
            ? fmt::format("{} risk, author at L0: every change needs a person", ToString(in.risk))
            : fmt::format("{} risk is beyond {} (may merge up to {} alone)", ToString(in.risk),
                          ToString(in.trust), MaxRiskFor(in.trust));
  }
  return c;
}

Check FixAttemptsCheck(const GateInputs& in) {
  Check c;
  c.name = "fix_attempts";
  c.value = in.fix_attempts;
  c.threshold = in.max_fix_attempts;
  if (in.fix_attempts < in.max_fix_attempts) {
    c.status = CheckStatus::kPass;
    c.message =
        fmt::format("{} failed attempts so far (limit {})", in.fix_attempts, in.max_fix_attempts);
  } else {
    c.status = CheckStatus::kNeedsApproval;
    c.message = fmt::format("{} failed attempts on this change (limit {}): a person takes over",
                            in.fix_attempts, in.max_fix_attempts);
  }
  return c;
}

}  // namespace

std::string_view ToString(Decision d) {
  switch (d) {
    case Decision::kAutoMerge:
      return "auto-merge";
    case Decision::kNeedsApproval:
      return "needs-approval";
    case Decision::kReject:
      return "reject";
  }
  return "reject";
}

int ExitCodeFor(Decision d) {
  switch (d) {
    case Decision::kAutoMerge:
      return 0;
    case Decision::kNeedsApproval:
      return kExitNeedsApproval;
    case Decision::kReject:
      return kExitReject;
  }
  return kExitReject;
}

std::string_view ToString(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kNeedsApproval:
      return "needs-approval";
    case CheckStatus::kSkipped:
      return "skipped";
  }
  return "skipped";
}

bool RunSkippedByChangeFilter(const store::RunRecord& run) {
  return run.status == store::RunStatus::kSkipped && run.reason.starts_with(kNoRelevantChanges);
}

bool JobPassed(const store::JobRecord& job) {
  switch (job.status) {
    case store::JobStatus::kSuccess:
    case store::JobStatus::kCached:
      return true;
    case store::JobStatus::kSkipped:
      return job.reason.starts_with(kNoRelevantChanges) ||
             job.reason.starts_with(kRunSkippedNoRelevantChanges);
    default:
      return false;
  }
}

Verdict Decide(const GateInputs& in) {
  Verdict v;
  v.checks.push_back(JobsCheck(in, &v.failed_jobs));
  v.checks.push_back(TestsCheck(in));
  v.checks.push_back(LineCoverageCheck(in));
  v.checks.push_back(NewCodeCheck(in));
  v.checks.push_back(RiskCheck(in));
  v.checks.push_back(FixAttemptsCheck(in));
  const auto any = [&](CheckStatus s) {
    return std::any_of(v.checks.begin(), v.checks.end(),
                       [&](const Check& c) { return c.status == s; });
  };
  v.decision = any(CheckStatus::kFail)            ? Decision::kReject
               : any(CheckStatus::kNeedsApproval) ? Decision::kNeedsApproval
                                                  : Decision::kAutoMerge;
  for (const Check& c : v.checks) {
    const bool decided = v.decision == Decision::kReject ? c.status == CheckStatus::kFail
                         : v.decision == Decision::kNeedsApproval
                             ? c.status == CheckStatus::kNeedsApproval
                             : c.status == CheckStatus::kPass;
    if (decided) v.reasons.push_back(c.message);
  }
  // A rejected change that has used up its attempts goes to a person too: say so.
  if (v.decision == Decision::kReject && in.fix_attempts >= in.max_fix_attempts) {
    v.reasons.push_back(v.checks.back().message);
  }
  return v;
}

Coverage MergeCoverage(const std::vector<Coverage>& reports) {
  if (reports.size() == 1) return reports.front();
  Coverage out;
  out.has_line_sets =
      !reports.empty() && std::all_of(reports.begin(), reports.end(),
                                      [](const Coverage& c) { return c.has_line_sets; });
  if (!reports.empty()) out.format = reports.front().format;
  std::map<std::string, FileCoverage> files;
  for (const Coverage& r : reports) {
    out.branches_total += r.branches_total;
    out.branches_covered += r.branches_covered;
    if (!out.has_line_sets) {
      out.lines_total += r.lines_total;
      out.lines_covered += r.lines_covered;
    }
    for (const FileCoverage& f : r.files) {
      FileCoverage& m = files[f.file];
      m.file = f.file;
      m.covered.insert(f.covered.begin(), f.covered.end());
      m.uncovered.insert(f.uncovered.begin(), f.uncovered.end());
      m.branches_total += f.branches_total;
      m.branches_covered += f.branches_covered;
      if (!out.has_line_sets) {
        m.lines_total += f.lines_total;
        m.lines_covered += f.lines_covered;
      }
    }
  }
  for (auto& [path, f] : files) {
    if (out.has_line_sets) {
      for (int line : f.covered) f.uncovered.erase(line);
      f.lines_covered = static_cast<int>(f.covered.size());
      f.lines_total = f.lines_covered + static_cast<int>(f.uncovered.size());
      out.lines_total += f.lines_total;
      out.lines_covered += f.lines_covered;
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

}  // namespace gauntlet::gate
