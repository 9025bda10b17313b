// One diagnosis under every face: `gauntlet diagnose` and `gauntlet gate`, the HTTP API and
// the MCP tools gather what they diagnose here, so they print the same JSON
// (views_gate.h) for the same run.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "engine/pipeline.h"
#include "gate/assess.h"
#include "gate/run_diagnosis.h"
#include "store/store.h"

namespace gauntlet::engine {

// Lines of each failed job's log a gate verdict's diagnoses keep.
inline constexpr int kGateLogLines = 20;

// Whether `job` ("" : every job) selects the job `name`: a spec job's name selects every
// matrix job expanded from it ("test" selects "test (os: linux)").
bool SelectsJob(const std::string& job, const std::string& name);

struct RunDiagnosis {
  std::vector<gate::DiagnosedJob> jobs;
  std::vector<std::string> warnings;  // problems met reading the pipeline file
};

// The failed jobs of `run` (its `jobs`) that `job` selects ("" : all; a spec job's name
// selects every matrix job expanded from it), diagnosed with the parsers the run's
// pipeline file names as it is now, keeping `lines` of each log. NotFound, listing the
// run's jobs, when `job` names none of them.
Result<RunDiagnosis> DiagnoseRun(store::Store& s, const store::RunRecord& run,
                                 const std::vector<store::JobRecord>& jobs,
                                 const std::string& job, const std::string& logs_dir,
                                 int lines);

// `gauntlet diagnose --json`: DiagnosisJson of the run's diagnosis.
nlohmann::json RunDiagnosisJson(const store::RunRecord& run, const RunDiagnosis& d);

// The diagnoses of a gate's rejection (none for another verdict): its failed jobs, with
// the parsers of `pipeline` (the pipeline the verdict was judged on), kGateLogLines each.
Result<std::vector<gate::DiagnosedJob>> DiagnoseVerdict(store::Store& s,
                                                        const gate::Assessment& a,
                                                        const LoadedPipeline& pipeline,
                                                        const std::string& logs_dir);

}  // namespace gauntlet::engine
