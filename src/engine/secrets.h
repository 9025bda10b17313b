// The secrets a run or a deployment gets: every name the pipeline lists, valued from a
// secrets file, else from gauntlet's own environment. Values are masked everywhere.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::engine {

// (name, value) pairs.
using Secrets = std::vector<std::pair<std::string, std::string>>;

// Every secret the pipeline names (pipeline, jobs, environments), valued from
// `secrets_file` (empty: none), else gauntlet's environment; values in the file that
// nothing names are kept too (they are masked). A secret with no value is left out: a
// job that lists it fails with a clear reason. A bad file is ErrorKind::kInvalid.
Result<Secrets> CollectSecrets(const spec::Pipeline& p, const std::string& secrets_file);

// Reads KEY=VALUE lines (blank lines and # comments skipped) of a secrets file.
Result<Secrets> ReadSecretsFile(const std::string& path);

}  // namespace gauntlet::engine
