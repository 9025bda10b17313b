// A one-line fix suggestion for a failed job, from its diagnostics, for
// `gauntlet diagnose` and agents: "fix the compile error in src/a.c:12 (...)".
#pragma once

#include <string>
#include <vector>

#include "gate/diagnostic.h"

namespace gauntlet::gate {

// Picks the diagnostic to fix first (errors before warnings; build before
// type, test, lint, security, other: a build error hides everything after it)
// and says what to do about it; "" when there is nothing to suggest.
std::string SuggestFix(const std::vector<Diagnostic>& diagnostics);

// The diagnostic SuggestFix is about (notes never); nullptr when there is none.
// Its category is the category of a failed job.
const Diagnostic* FirstToFix(const std::vector<Diagnostic>& diagnostics);

}  // namespace gauntlet::gate
