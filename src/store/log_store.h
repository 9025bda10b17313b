// Run logs: one append-only file per run, .gauntlet/logs/<run>.log, holding the
// output of every job of the run as checksummed frames (format in log_format.h).
// Creating a file costs as much as spawning a process on our disks, so there is
// no file per job; an index written when the run's log is closed lets a reader
// fetch one job's output without scanning the others' (a live or crashed run's
// log has no index yet and is scanned instead).
//
// Durability: Flush() hands the buffered frames to the kernel (write(2)), so a
// SIGKILL of the engine loses nothing flushed and other processes (`gauntlet
// logs -f`) see it at once. The executor flushes once per event-loop turn,
// before the store's Commit, so a job recorded as finished has its output in
// the file. There is no fdatasync per flush: logs are diagnostics, not state
// the next job depends on, and a power loss costs at most the tail of the log
// (a torn last frame is ignored by readers and cut by the next writer). Close()
// fdatasyncs once, at the end of the run.
//
// Cap: each job attempt stores at most `cap_per_attempt` bytes (16 MiB by
// default); then one truncation marker frame is written and the rest of that
// attempt's output is counted (Dropped) but not stored.
//
// Thread safety: a LogWriter belongs to one thread (the event loop). A
// LogReader holds no state and can be used from any thread or process, while
// the writer is appending.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace gauntlet::store {

// The log file of a run inside the logs directory (".gauntlet/logs").
std::string LogPath(const std::string& logs_dir, RunId run);

struct LogWriterOptions {
  uint64_t cap_per_attempt = uint64_t{16} << 20;
  size_t buffer_bytes = 64 << 10;  // Append writes to the file when this much is pending
  // fdatasync the log at Close: power-loss durability, to go with a store opened with
  // synchronous=FULL. Off by default, as the store's default (NORMAL) does not sync either.
  bool sync_on_close = false;
};

class LogWriter {
 public:
  // Opens the run's log for appending, creating it (and logs_dir) if needed. An
  // existing log (a resumed run) is kept up to its last valid frame; a torn
  // frame or an old index after it is cut off.
  static Result<std::unique_ptr<LogWriter>> Open(const std::string& logs_dir, RunId run,
                                                 LogWriterOptions options = {});
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  // Flushes what is pending (best effort) but writes no index: call Close().
  ~LogWriter();

  // Adds output of one attempt of a job; buffered.
  Status Append(uint32_t job, uint16_t attempt, std::string_view bytes);
  // Writes everything pending to the file. A failed write (a full disk) cuts the file
  // back to its last whole frame and is final: every later Append and Flush returns it.
  Status Flush();
  // The highest attempt number the log holds output of for `job` (0: none): a resumed
  // run numbers the job's next attempt after it, so no two executions share one.
  uint16_t LastAttempt(uint32_t job) const;
  // Flushes, appends the index (fdatasyncs with sync_on_close), closes. Nothing may be
  // appended after.
  Status Close();

  // Bytes of output stored / counted but dropped past the cap, for one attempt.
  uint64_t Stored(uint32_t job, uint16_t attempt) const;
  uint64_t Dropped(uint32_t job, uint16_t attempt) const;

  struct Extent {
    uint64_t begin = 0;
    uint64_t end = 0;
  };
  struct AttemptLog {
    uint64_t stored = 0;
    uint64_t dropped = 0;
    bool marked = false;          // the truncation marker was written
    std::vector<Extent> extents;  // contiguous file ranges of this attempt's frames
  };
  using Key = std::pair<uint32_t, uint16_t>;  // (job, attempt)

 private:
  LogWriter(int fd, std::string path, uint64_t size, LogWriterOptions options,
            std::map<Key, AttemptLog> attempts);
  void AddFrame(uint32_t job, uint16_t attempt, int kind, std::string_view payload,
                AttemptLog& log);

  int fd_;
  std::string path_;
  uint64_t size_;  // bytes in the file (not counting buffer_)
  LogWriterOptions options_;
  std::string buffer_;
  std::map<Key, AttemptLog> attempts_;
  bool closed_ = false;
  Status failed_ = Ok();  // the first failed write: sticky
};

// One frame's content as read back.
struct LogChunk {
  uint32_t job = 0;
  uint16_t attempt = 0;
  bool truncation_marker = false;
  std::string data;
};

struct FollowResult {
  std::vector<LogChunk> chunks;
  uint64_t next_offset = 0;  // where the next Follow continues
  bool finished = false;     // the writer closed the log: nothing more will come
};

class LogReader {
 public:
  explicit LogReader(std::string logs_dir) : logs_dir_(std::move(logs_dir)) {}

  // The output of one job: one attempt, or all attempts in order. Uses the index
  // of a closed log; scans the frames of a live or crashed one.
  Result<std::string> ReadJob(RunId run, uint32_t job, std::optional<uint16_t> attempt) const;

  // The complete frames from `offset` on (0: the beginning), at most about
  // `max_bytes`. A frame still being written is left for the next call. A log
  // that does not exist yet yields nothing and the same offset.
  Result<FollowResult> Follow(RunId run, uint64_t offset, size_t max_bytes = 1 << 20) const;

 private:
  std::string logs_dir_;
};

}  // namespace gauntlet::store
