// The $GAUNTLET_OUTPUT file a job writes, in GitHub's format: `key=value` lines and
// multi-line values as
//   key<<DELIM
//   line 1
//   line 2
//   DELIM
// Later keys overwrite earlier ones. Blank lines are ignored; a trailing \r is dropped.
#pragma once

#include <string_view>

#include "core/result.h"
#include "exec/results.h"

namespace gauntlet::exec {

// Errors name the 1-based line: "line 3: expected key=value or key<<DELIMITER".
Result<Outputs> ParseOutputs(std::string_view text);

}  // namespace gauntlet::exec
