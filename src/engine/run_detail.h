// Everything recorded about one run, read from the store: what `gauntlet status` shows
// and RunDetailJson (views_run.h) renders.
#pragma once

#include "core/result.h"
#include "engine/views_run.h"
#include "store/store.h"

namespace gauntlet::engine {

// The run's jobs, attempts, metrics and the problems recorded with its jobs' report
// files (gate/report_recorder.h).
Result<RunDetail> ReadRunDetail(store::Store& s, const store::RunRecord& run);

}  // namespace gauntlet::engine
