// How diagnosed jobs (gate/run_diagnosis.h) are shown, the same way by
// `gauntlet diagnose` and by the reject verdict of `gauntlet gate`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gate/diagnostic.h"
#include "gate/run_diagnosis.h"

namespace gauntlet::cli {

// How the job's last attempt ended: "exit 1", "timeout, SIGKILL", "-" before any.
std::string ExitOf(const gate::DiagnosedJob& d);

// "src/a.c:3:5: message [rule]", with the severity when it is not an error; only
// the message's first line.
std::string DiagnosticLine(const gate::Diagnostic& d);

// Every field: index, name, status, reason, attempts, exit, category, parsers,
// diagnostics (all of them), tests, suggestion, log_tail, warnings.
nlohmann::json DiagnosedJobJson(const gate::DiagnosedJob& d);

}  // namespace gauntlet::cli
