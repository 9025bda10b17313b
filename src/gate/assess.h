// Gathers what the verdict needs for one change, from git (the commits and diff
// between base and head) and from the store (the run of the head commit, its
// jobs and reports, the trust history, earlier failed runs), and decides.
//
// Fix attempts (gates.max_fix_attempts) are the failed runs of the pipeline,
// other than the judged run, that belong to this change: runs of one of its
// commits, or, started since the change's oldest commit, runs with the same
// Task-ID trailer or on the same branch (unless that is the default branch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "gate/identity.h"
#include "gate/junit.h"
#include "gate/risk.h"
#include "gate/trust.h"
#include "gate/verdict.h"
#include "spec/model.h"
#include "store/store.h"
#include "vcs/range.h"

namespace gauntlet::gate {

struct GateOptions {
  std::string repo_path;            // inside the repository (the pipeline file's directory)
  std::string base_ref;             // empty: vcs::ReadRange's default
  std::string head_ref;             // empty: HEAD
  std::optional<store::RunId> run;  // empty: the newest run of the head commit
  // The state directory (absolute): files under it are gauntlet's, never the change's,
  // even when an older version let them be committed.
  std::string state_dir;
  int64_t now_ms = 0;
};

struct AuthorTrust {
  Author author;
  std::string key;
  TrustStanding standing;
};

struct Assessment {
  vcs::Range range;
  Identity identity;
  RiskAssessment risk;
  std::vector<AuthorTrust> trust;            // per author of the change
  TrustLevel trust_level = TrustLevel::kL0;  // the lowest among them: the change's
  store::RunRecord run;
  std::vector<store::RunId> fix_attempt_runs;
  std::optional<TestReport> tests;
  int reverts_recorded = 0;
  std::vector<std::string> notes;  // things worth knowing that did not decide anything
  Verdict verdict;
};

// Why Assess failed, for the exit code.
enum class AssessFailure { kNone, kNotFound, kInvalid, kInternal };

// `failure` (if given) says what kind of error was returned.
Result<Assessment> Assess(store::Store& store, const spec::Pipeline& pipeline,
                          const GateOptions& options, AssessFailure* failure = nullptr);

}  // namespace gauntlet::gate
