// SARIF 2.1.0: results of static analysers in (CodeQL, Semgrep, eslint's SARIF
// formatter, ...) and gauntlet's own diagnostics out (for code-scanning UIs).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gate/diagnostic.h"
#include "gate/parsers.h"

namespace gauntlet::gate {

// Every result of every run. Category: security when the tool is a known
// security scanner or the rule is tagged "security" (or carries a
// "security-severity"), else lint.
Result<std::vector<Diagnostic>> ParseSarif(std::string_view text, const ParseOptions& options = {});

// A SARIF 2.1.0 log with one run per tool: tool.driver.name and its rules,
// results with ruleId, level, message.text and a physical location.
nlohmann::json ToSarif(const std::vector<Diagnostic>& diagnostics);

}  // namespace gauntlet::gate
