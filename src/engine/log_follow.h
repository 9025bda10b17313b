// Reading a run's log (store/log_store.h) in the order it was written: once, or followed
// live until the run ends (or its engine dies), waiting on inotify rather than polling
// fast. `gauntlet logs [-f]` renders it; the server's live logs will read the same way.
#pragma once

#include <functional>

#include "core/result.h"
#include "engine/workspace.h"
#include "store/log_store.h"
#include "store/store.h"

namespace gauntlet::engine {

struct LogReadOptions {
  bool follow = false;  // keep reading until the run ends
  // Called after each batch of chunks (a caller flushes its output there).
  std::function<void()> on_batch;
  // Asked after each batch while following: true ends the read early (a client that went
  // away). Checked at least once a second.
  std::function<bool()> stop;
};

// Calls `on_chunk` for every chunk of the run's log, in the order written.
Status ReadRunLog(store::Store& s, const Workspace& ws, store::RunId run,
                  const LogReadOptions& options,
                  const std::function<void(const store::LogChunk&)>& on_chunk);

}  // namespace gauntlet::engine
