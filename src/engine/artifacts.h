// The files a stored run's jobs kept with `artifacts:`, read back for `gauntlet artifacts`
// (and next the server): the records validated, selected by job, and copied out of the
// content-addressed store (store/artifact_store.h).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "store/artifact_store.h"
#include "store/store.h"

namespace gauntlet::engine {

struct JobArtifacts {
  std::string job;
  std::vector<store::ArtifactEntry> files;
};

// The artifacts of `run`'s jobs, or only of `job` (its full name, or its base name for
// every matrix variant). Each record is validated before anything is shown or written: a
// name that escapes or a hash that is not a digest is refused (kConflict). A named `job`
// with no artifacts: kNotFound.
Result<std::vector<JobArtifacts>> ListArtifacts(store::Store& s, store::RunId run,
                                                const std::string& job);

// Copies the files of `jobs` from the artifact store at `artifacts_dir` into `dir`
// (created) at their relative paths; returns `dir` made absolute. Two jobs that stored
// different contents at one path cannot both be copied there: refused (kConflict) before
// anything is written.
Result<std::string> DownloadArtifacts(const std::vector<JobArtifacts>& jobs,
                                      const std::string& artifacts_dir, const std::string& dir);

}  // namespace gauntlet::engine
