// Job concurrency groups (a job's `concurrency:`, GitHub's semantics; docs/running.md,
// "Concurrency groups of jobs"): of the jobs whose group has one name, in every engine
// that shares the directory (the engine keeps it per repository, in its git common
// directory: engine/run_start.cc), at most one runs and one waits; a newer job replaces
// the one waiting, and with cancel-in-progress asks the running one to stop.
//
// Across processes through files, so nothing outlives a process that dies: per group
// (named by a hash of its name), `H.lock` is held with flock(LOCK_EX) by the running job,
// and the kernel releases it when its process exits, however it exits; `H.state` (JSON:
// the holder, the one waiting, a cancel request) is replaced by rename under flock of
// `H.meta`, so a crash never leaves it torn. Waiting is event-driven: an inotify watch on
// the directory sees a lock file closed (a holder left or died) or a state replaced, and
// calls `wake`. Not thread-safe: one scheduler's thread calls it (the watcher thread only
// sets a flag and calls `wake`).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace gauntlet::exec {

class ConcurrencyGroups {
 public:
  enum class State {
    kHeld,             // the job holds its group: it may run
    kWaiting,          // another job holds it; this one is next
    kReplaced,         // a newer job took its place: it must not run
    kCancelRequested,  // held, and a newer job with cancel-in-progress asked it to stop
  };
  using Ticket = int;

  // `dir` is created if missing; `wake` is called from the watcher thread after a group
  // file of the directory changed.
  ConcurrencyGroups(std::string dir, std::function<void()> wake);
  ~ConcurrencyGroups();  // leaves every group still entered; stops the watcher
  ConcurrencyGroups(const ConcurrencyGroups&) = delete;
  ConcurrencyGroups& operator=(const ConcurrencyGroups&) = delete;

  // Joins `group` as its newest job (`label` names it for people: "run 12, job deploy"):
  // replaces the job waiting in it, with `cancel_in_progress` also asks the holder to
  // stop, and holds the group at once when it is free.
  Result<Ticket> Enter(const std::string& group, bool cancel_in_progress,
                       const std::string& label);
  // Where the ticket stands now; a waiting ticket takes the group when it is free.
  State Check(Ticket t);
  // Who holds the ticket's group, for people ("" unknown).
  std::string Holder(Ticket t);
  // Gives the group up (held) or the place in it (waiting). Idempotent.
  void Leave(Ticket t);
  // Whether a group file changed since the last call (the watcher saw it).
  bool TakeChanged() { return changed_.exchange(false); }

 private:
  struct Entry;
  struct GroupState;
  Result<GroupState> ReadState(const Entry& e) const;
  Status WriteState(const Entry& e, const GroupState& s) const;
  Status StartWatcher();
  void Watch();

  std::string dir_;
  std::function<void()> wake_;
  std::string id_prefix_;  // pid and a random number: tickets unique across processes
  std::vector<std::unique_ptr<Entry>> entries_;
  std::atomic<bool> changed_{false};
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd the watcher polls beside the inotify descriptor
  std::thread watcher_;
};

}  // namespace gauntlet::exec
