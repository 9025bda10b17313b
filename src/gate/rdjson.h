// reviewdog's Diagnostic Format, rdjson (a DiagnosticResult), so that
// `gauntlet diagnose --rdjson | reviewdog -f=rdjson` comments on a change.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "gate/diagnostic.h"

namespace gauntlet::gate {

// {"source": {"name": source}, "diagnostics": [{"message", "location": {"path",
// "range": {"start": {"line", "column"}, "end"?}}, "severity": "ERROR"|"WARNING"|"INFO",
// "source": {"name": tool}, "code": {"value": rule}, "original_output",
// "related_locations"}]}. Positions are 1-based; unknown ones are left out.
nlohmann::json ToRdjson(const std::vector<Diagnostic>& diagnostics,
                        const std::string& source = "gauntlet");

}  // namespace gauntlet::gate
