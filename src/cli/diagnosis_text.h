// How diagnoses (gate/run_diagnosis.h) and gate verdicts read for a person: `gauntlet
// diagnose` and `gauntlet gate` without --json. The JSON forms are engine/views_gate.h.
#pragma once

#include <string>
#include <vector>

#include "gate/assess.h"
#include "gate/diagnostic.h"
#include "gate/run_diagnosis.h"
#include "store/records.h"

namespace gauntlet::cli {

// "src/a.c:3:5: message [rule]", with the severity when it is not an error; only the
// message's first line.
std::string DiagnosticLine(const gate::Diagnostic& d);

// `gauntlet diagnose`: the run, then each failed job with its diagnostics, tests,
// suggestion and the end of its log.
void PrintDiagnoses(const store::RunRecord& run, const std::vector<gate::DiagnosedJob>& failed,
                    const std::vector<std::string>& warnings);

// `gauntlet gate`: the decision, the change, its author, risk, trust, the checks and the
// failed jobs with their diagnoses.
void PrintVerdict(const gate::Assessment& a, const std::vector<gate::DiagnosedJob>& diagnoses,
                  bool color);

}  // namespace gauntlet::cli
