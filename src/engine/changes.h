// What a run needs to know about changed files: whether anything in the pipeline reads
// them (only then is git asked), and the `changes` context of `if:` expressions.
#pragma once

#include <nlohmann/json.hpp>

#include "spec/model.h"
#include "vcs/changes.h"

namespace gauntlet::engine {

// Whether the pipeline reads the changed files: a `changes:` filter (pipeline or job),
// or an expression that refers to the `changes` context (in `if:`, commands, env).
// Decided from the parsed expressions: "changes" in plain text or in another context's
// value does not count.
bool UsesChanges(const spec::Pipeline& p);

// The `changes` context: {"available": bool, "files", "base", "how"} (docs/caching.md).
nlohmann::json ChangesContext(const vcs::ChangeSet& c);

}  // namespace gauntlet::engine
