// The stored reports of jobs a new run takes from an earlier one instead of
// running them (`gauntlet retry`, the needs of `run --from`): the JUnit,
// coverage and report-warnings records are copied to the new run under the
// jobs' new indexes and the new run's metrics are recomputed
// (gate/report_metrics.h), so that `gauntlet gate` and `status` on the new run
// see what those jobs produced. A resumed run (`run --resume`) continues in
// place and keeps its reports: nothing to carry.
#pragma once

#include <map>
#include <string>

#include "core/result.h"
#include "store/records.h"
#include "store/store.h"

namespace gauntlet::gate {

// Copies the reports of `jobs` (job name -> its index in `to`) from run `from`
// to run `to`, with the metrics, in one batch. Call before the jobs of `to`
// start (no batch of the store may be open). Returns the number of reports copied.
Result<int> CarryReports(store::Store& store, store::RunId from, store::RunId to,
                         const std::map<std::string, int>& jobs);

}  // namespace gauntlet::gate
