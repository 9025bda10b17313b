// One engine at a time runs jobs with a state directory: an advisory lock (flock(2)) on
// <state_dir>/engine.lock, held by `gauntlet run` (new or resumed) and `gauntlet retry`
// for as long as their jobs run. Two engines in one workspace would run the same jobs
// side by side in the same directory. The kernel drops the lock when its holder dies,
// however it dies, so a killed engine never leaves a stale lock behind.
//
// The file names the holder (pid, host, run id) so that the engine refused can say who
// has it. The lock is per state directory: two engines with different --state-dir in
// one workspace are not stopped by it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "store/records.h"

namespace gauntlet::store {

class EngineLock {
 public:
  // Takes the lock. When another engine holds it: with `wait`, calls `waiting` with a
  // description of the holder ("run 12, pid 4242 on host build1") and blocks until it is
  // free; without, sets *busy and returns an error naming the holder.
  static Result<EngineLock> Acquire(const std::string& state_dir, bool wait, bool* busy,
                                    const std::function<void(const std::string&)>& waiting);

  EngineLock(EngineLock&& other) noexcept;
  EngineLock& operator=(EngineLock&& other) noexcept;
  EngineLock(const EngineLock&) = delete;
  EngineLock& operator=(const EngineLock&) = delete;
  ~EngineLock();  // releases it

  // The same pattern for another activity with a lock file of its own in the state
  // directory (`release.lock`: one `gauntlet release` at a time). Never waits; when it is
  // held, sets *busy and returns a kBusy error "<what> is already running (pid ...)".
  static Result<EngineLock> AcquireFile(const std::string& state_dir, const std::string& file,
                                        const std::string& what, bool* busy);

  // Names the run once its id is known (a new run gets one after the lock is taken).
  void SetRun(RunId run);

 private:
  explicit EngineLock(int fd) : fd_(fd) {}
  void WriteHolder(RunId run);
  int fd_ = -1;
};

// A short key naming a state directory (its canonical path, hashed): the first part of
// every GAUNTLET_TAG of its runs' jobs (exec/leftovers.h), so the processes of one
// workspace's runs are found without touching another's.
std::string StateDirKey(const std::string& state_dir);

}  // namespace gauntlet::store
