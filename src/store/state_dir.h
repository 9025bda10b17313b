// The workspace's state directory (`.gauntlet/`: state.db, logs, artifacts) is never
// part of the project: it holds a `.gitignore` of `*`, as Python's venv and pytest's
// cache directories do, so `git add -A` does not commit the database and the logs
// (whose WAL file would then break the next checkout) and `git status` does not list them.
#pragma once

#include <string>

#include "core/result.h"

namespace gauntlet::store {

// Creates `dir` (and its parents) when missing, and its `.gitignore` when missing. An
// existing `.gitignore` is left as it is (a user may have written their own).
Status EnsureStateDir(const std::string& dir);

// What EnsureStateDir writes into the `.gitignore`.
inline constexpr const char* kStateDirGitignore =
    "# Created by gauntlet: its run history, logs and artifacts are not project files.\n*\n";

}  // namespace gauntlet::store
