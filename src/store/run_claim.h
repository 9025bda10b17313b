// Taking a run over to resume it (`gauntlet run --resume`): which runs may be resumed,
// and the claim itself, one compare-and-swap in the store, so that of two engines
// resuming one run exactly one runs its jobs and the other is told who has it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/log_store.h"
#include "store/store.h"

namespace gauntlet::store {

// Whether an engine on this host may resume `run`: it was interrupted (its engine died)
// or cancelled, or it was stopped because it could not be recorded. Otherwise why not;
// *busy is set when another live engine drives it.
Status CheckResumable(const RunRecord& run, bool* busy);

// Claims run `id` for the engine (pid, host) after CheckResumable: the run as read must
// still be as it is in the store. The run as claimed; an error naming the engine that
// got it first (*busy set), or why it cannot be resumed.
Result<RunRecord> ClaimRun(Store& store, RunId id, int64_t pid, const std::string& host,
                           bool* busy);

// Before an engine starts anything: kills what the jobs of runs whose engine died left
// running (runs of this host still `running`, `interrupted`, or stopped by a storage
// error), found by their GAUNTLET_TAG <state_key>/<run>/... (exec/leftovers.h), and waits
// until it is gone. Runs that ended normally are left alone: what their jobs detached on
// purpose (a service) is theirs. The number of processes killed. The caller holds the
// state directory's engine lock (engine_lock.h).
Result<int> KillLeftovers(Store& store, const std::string& state_key);

// For each of the run's `jobs` (by index), the highest attempt number an earlier engine
// used: in the store's job row or its attempts, or in the run's log (which may hold
// output of an attempt whose start never reached the store). A resumed run numbers a
// job's attempts after it, so `gauntlet logs` never mixes two executions under one.
Result<std::vector<int>> AttemptsMade(Store& store, RunId run, const LogWriter& log, size_t jobs);

}  // namespace gauntlet::store
