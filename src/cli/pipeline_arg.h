// The FILE argument: finding, loading and planning it (engine/pipeline.h), and reporting
// its problems the way every command does.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cli/command.h"
#include "engine/pipeline.h"

namespace gauntlet::cli {

using engine::LoadedPipeline;

// Loads `file_arg` (or gauntlet.yml found from the working directory upward) into *out.
// Returns kExitOk, or kExitNotFound with the reason in `problems`.
int LoadPipeline(const std::string& file_arg, LoadedPipeline* out);

// Problems, sorted and with source lines, on stderr (warnings too).
void PrintProblems(const LoadedPipeline& loaded, bool color);

// {"file","problems":[...]}: the fields every --json output of these commands shares.
nlohmann::json ProblemsJson(const LoadedPipeline& loaded);

// A pipeline that did not load (or has errors): its problems on stderr, or with --json
// and a `json_status`, {"file","problems","status": json_status} on stdout. Returns the
// exit code (3 no file, 2 invalid).
int ReportLoadFailure(const LoadedPipeline& loaded, const GlobalOptions& global,
                      const std::string& json_status);

}  // namespace gauntlet::cli
