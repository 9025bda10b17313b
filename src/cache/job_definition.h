// The "resolved definition" part of a job's cache key (cache_key.h): everything in the
// pipeline file that changes what the job does or leaves behind, as one canonical string.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "plan/plan.h"

namespace gauntlet::cache {

// Name, commands, shell, working directory, pipeline and job env (templates as written),
// the names of its secrets (never their values), matrix values, `inputs:` and
// `artifacts:` globs and `cache_key_extra:`. When a command, env value or the working
// directory holds a `${{ }}` template, `branch` and `event` count too (a template may
// read them); needs' outputs enter the key separately. Fields are length-prefixed.
// `branch` is asked only then: reading it waits for git (engine/git_reader.h), which a
// cached run of untemplated jobs should not.
std::string JobDefinition(const plan::Plan& plan, const plan::PlannedJob& job,
                          const std::function<std::string()>& branch, std::string_view event);

}  // namespace gauntlet::cache
