// Cancelling a run from outside the process that drives it (`gauntlet cancel`, later the
// server for runs of other processes). The engine that drives a run owns it: when it is
// alive on this host it gets SIGTERM, cancels its jobs' process groups and records
// 'cancelled' itself; this only waits for it to exit. Only when the engine is gone is the
// end written here, after the processes its jobs left running (found by their
// GAUNTLET_TAG under `state_dir`'s key) are killed. (A run driven in this process is
// cancelled through its RunHandle.)
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace gauntlet::engine {

struct CancelOutcome {
  store::RunRecord run;  // as recorded after the cancellation
  // "none" (already cancelled), "marked" (recorded here: the engine was gone or exited
  // without recording it), "signalled" (the engine recorded it).
  std::string action;
};

// Cancels `run`. `note` receives progress for people ("sent SIGTERM to engine pid 12;
// waiting for it to stop"). Errors are kConflict (not running, driven from another host,
// the engine did not stop within `timeout`, the end could not be recorded).
Result<CancelOutcome> CancelRun(store::Store& s, const std::string& state_dir,
                                const store::RunRecord& run, Duration timeout, Clock& clock,
                                const std::function<void(const std::string&)>& note);

}  // namespace gauntlet::engine
