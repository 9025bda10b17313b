#include "engine/log_follow.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <string>

#include "engine/views_run.h"

namespace gauntlet::engine {
namespace {

// Waits for the run's log to change: an inotify watch on the logs directory
// (which sees the file being created, appended to and closed), read with a
// timeout so that the caller re-checks the engine's liveness now and then.
class LogWatch {
 public:
  LogWatch(std::string logs_dir, std::string state_dir)
      : logs_dir_(std::move(logs_dir)), state_dir_(std::move(state_dir)) {
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd_ >= 0) AddWatches();
  }
  ~LogWatch() {
    if (fd_ >= 0) close(fd_);
  }
  LogWatch(const LogWatch&) = delete;
  LogWatch& operator=(const LogWatch&) = delete;

  // Returns when something happened in the directory or after `timeout_ms`.
  void Wait(int timeout_ms) {
    if (fd_ < 0) {
      // No inotify (limits reached): the timeout alone paces the re-reads.
      poll(nullptr, 0, timeout_ms);
      return;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) > 0) {
      alignas(inotify_event) char buf[4096];
      while (read(fd_, buf, sizeof(buf)) > 0) {
      }
    }
    if (!logs_watched_) AddWatches();
  }

 private:
  void AddWatches() {
    // The logs directory may not exist before the engine opens the run's log:
    // then watch the state directory for its creation.
    if (inotify_add_watch(fd_, logs_dir_.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE) >= 0) {
      logs_watched_ = true;
    } else if (!state_watched_) {
      state_watched_ = inotify_add_watch(fd_, state_dir_.c_str(), IN_CREATE) >= 0;
    }
  }

  std::string logs_dir_, state_dir_;
  int fd_ = -1;
  bool logs_watched_ = false;
  bool state_watched_ = false;
};

// Reads every complete frame from *offset on; true when the writer closed the log.
Result<bool> Drain(store::LogReader& reader, store::RunId run, uint64_t* offset, bool* got,
                   const std::function<void(const store::LogChunk&)>& on_chunk) {
  *got = false;
  for (;;) {
    auto r = reader.Follow(run, *offset);
    if (!r.ok()) return r.error();
    *offset = r->next_offset;
    for (const auto& c : r->chunks) {
      *got = true;
      on_chunk(c);
    }
    if (r->finished) return true;
    if (r->chunks.empty()) return false;
  }
}

}  // namespace

Status ReadRunLog(store::Store& s, const Workspace& ws, store::RunId run,
                  const LogReadOptions& options,
                  const std::function<void(const store::LogChunk&)>& on_chunk) {
  store::LogReader reader(ws.logs_dir());
  uint64_t offset = 0;
  bool got = false;
  if (!options.follow) {
    auto r = Drain(reader, run, &offset, &got, on_chunk);
    if (!r.ok()) return r.error();
    return Ok();
  }
  // The watch is set before the first read, so that an append between a read and the
  // wait still wakes the wait.
  LogWatch watch(ws.logs_dir(), ws.state_dir);
  for (bool last_drain = false;;) {
    auto closed = Drain(reader, run, &offset, &got, on_chunk);
    if (!closed.ok()) return closed.error();
    if (options.on_batch) options.on_batch();
    if (*closed || last_drain || (options.stop && options.stop())) return Ok();
    if (got) continue;
    // Nothing new: is the run still going? The engine flushes its log before it commits
    // a result, so once the store says the run ended (or its engine is gone) one more
    // read gets everything.
    auto now = s.GetRun(run);
    if (!now.ok()) return now.error();
    if (!now->has_value() || (*now)->status != store::RunStatus::kRunning || EngineGone(**now)) {
      last_drain = true;
      continue;
    }
    watch.Wait(1000);
  }
}

}  // namespace gauntlet::engine
