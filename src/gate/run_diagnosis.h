// Diagnosing the failed jobs of a stored run: for each job, its stored log is
// read again and parsed with the parsers its pipeline entry names
// (`diagnostics:`, else its `language:`'s default; problem-matcher files beneath
// the pipeline's directory), its stored JUnit report and report warnings are
// added, and gate::DiagnoseJob (diagnosis.h) does the analysis. Shared by
// `gauntlet diagnose` and the reject verdict of `gauntlet gate`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "gate/assess.h"
#include "gate/diagnosis.h"
#include "gate/junit.h"
#include "plan/plan.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::gate {

// Where a run's jobs ran and how to read them again.
struct RunContext {
  // The pipeline file as it is now (the run stores its results, not its
  // configuration); null when it cannot be read: logs are then not parsed.
  const plan::Plan* plan = nullptr;
  std::string file;       // the pipeline file, for messages
  std::string dir;        // its directory, the workspace root (canonical)
  std::string repo_root;  // the repository holding it, else `dir` (canonical)
  std::string logs_dir;   // the run logs (.gauntlet/logs)
};

// `dir` and `repo_root` of a pipeline file, found through git.
RunContext ContextForFile(const std::string& pipeline_file, const plan::Plan* plan,
                          std::string logs_dir);

// One failed job, diagnosed.
struct DiagnosedJob {
  store::JobRecord job;
  std::optional<store::AttemptRecord> last_attempt;  // how it ended; none before any
  std::vector<std::string> parsers;                  // what read its log (names, matcher files)
  std::optional<TestReport> tests;                   // its stored JUnit report
  std::vector<std::string> report_warnings;          // stored when the job ran
  JobDiagnosis diagnosis;
};

// Diagnoses `jobs` of `run` (normally its failed ones), in the given order; the
// last `tail_lines` lines of each log are kept. Errors only when the store cannot
// be read; a missing log, parser or matcher file is a warning of the job.
Result<std::vector<DiagnosedJob>> DiagnoseRunJobs(store::Store& store, const store::RunRecord& run,
                                                  const std::vector<store::JobRecord>& jobs,
                                                  const RunContext& context, int tail_lines);

// A verdict's diagnoses: for a reject, each failed job the verdict names, diagnosed as
// above; empty for any other decision. What `gauntlet gate` and the server's
// GET /api/v1/gate attach to the verdict.
Result<std::vector<DiagnosedJob>> DiagnoseRejection(store::Store& store, const Assessment& a,
                                                    const RunContext& context, int tail_lines);

}  // namespace gauntlet::gate
