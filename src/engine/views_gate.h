// The JSON views of diagnoses and gate verdicts: what `gauntlet diagnose --json` and
// `gauntlet gate --json` print, and what agents will get from the server and MCP. Pure;
// documented in docs/json.md, pinned by views_test.cc against docs/json/*.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gate/assess.h"
#include "gate/run_diagnosis.h"
#include "gate/trust_history.h"
#include "store/records.h"

namespace gauntlet::engine {

// How the job's last attempt ended: "exit 1", "timeout, SIGKILL", "-" before any.
std::string ExitOf(const gate::DiagnosedJob& d);

// One failed job: index, name, status, reason, attempts, exit, category, parsers,
// diagnostics (all of them), tests, suggestion, log_tail, warnings.
nlohmann::json DiagnosedJobJson(const gate::DiagnosedJob& d);

// `gauntlet diagnose --json`: the run and each diagnosed job. `status` is the run's shown
// status (ShownStatus), `warnings` the problems met reading the pipeline file.
nlohmann::json DiagnosisJson(const store::RunRecord& run, std::string_view status,
                             const std::vector<gate::DiagnosedJob>& jobs,
                             const std::vector<std::string>& warnings);

// `gauntlet gate --json`: the decision, every check with its value and threshold, the
// change, identity, risk and trust it was judged on, and the diagnosis of each failed
// job among `diagnoses` (by name).
nlohmann::json VerdictJson(const gate::Assessment& a,
                           const std::vector<gate::DiagnosedJob>& diagnoses);

// `gauntlet trust --json`: one author's standing (level, what they may merge alone,
// merged changes, incidents, why, what the next level needs).
nlohmann::json TrustStandingJson(const std::string& key, const gate::AuthorHistory* history,
                                 const gate::TrustStanding& s);
// `gauntlet trust AUTHOR --json`: the same with the repository and every promotion and
// demotion recorded.
nlohmann::json TrustHistoryJson(const std::string& key, const gate::AuthorHistory* history,
                                const gate::TrustStanding& s, const std::string& repository,
                                const std::vector<store::TrustChangeRecord>& changes);

}  // namespace gauntlet::engine
