// The `event` context of expressions: what started the run, in one documented shape
// whatever the trigger (docs/expressions.md, "The event"):
//   name, ref, sha, before, after, commits [{id, message, author}], pusher,
//   merged_branch, webhook {name, delivery}, schedule, inputs, pull_request {number, title, head_ref, head_sha,
//   base_ref, author}, payload (the trigger's body as received).
// Every field is present (empty string, empty list or object when the trigger has none),
// so `if: event.merged_branch == ''` never reads null. Values come from outside the
// pipeline file: in commands they reach the shell as environment variables.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/run.h"

namespace gauntlet::engine {

nlohmann::json EventContext(const Event& event);

}  // namespace gauntlet::engine
