// A job's working directory with its `${{ }}` rendered when the run is planned, so the
// scheduler, the job cache, artifacts, reports and diagnostics all see one directory.
// Only values known from the pipeline file may appear: matrix values and env values
// written without expressions. A directory that depended on another job's output or
// on the branch name could be steered anywhere by whoever controls that value.
#pragma once

#include <string>

#include "spec/model.h"
#include "spec/problems.h"

namespace gauntlet::plan {

// The job's working directory (its own, else the pipeline's default) for matrix
// combination `combo`. A problem (at the job) when it reads another value or fails to
// evaluate; the text is then returned as written.
std::string ResolveWorkingDirectory(const spec::Pipeline& pipeline, const spec::Job& job,
                                    const spec::MatrixCombo& combo, spec::Problems* problems);

}  // namespace gauntlet::plan
