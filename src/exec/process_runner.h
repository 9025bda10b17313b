// The process seam: the scheduler starts jobs and waits for their events only through
// this interface, so it can be tested with a deterministic fake (fake_runner.h), and
// other executors (Slurm, ...) can be added later.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/duration.h"
#include "core/result.h"
#include "exec/clock.h"
#include "exec/results.h"

namespace gauntlet::exec {

using ProcId = int;  // valid from Start until OnExit; may be reused afterwards

struct SpawnRequest {
  std::string_view shell;  // "bash", "sh", or any program taking `-c script`
  std::string_view script;
  char* const* envp = nullptr;         // the full environment, null-terminated
  std::string_view working_directory;  // empty: the engine's
  Duration timeout{0};                 // 0: none
  // When not empty, this program runs instead of `shell -c script` (both are then ignored):
  // argv[0] is looked up in PATH and kept as the child's argv[0]; no shell is involved, so
  // values in argv are never parsed as shell text. The pointers must outlive Start only.
  std::span<const char* const> argv;
  // When the main process exits on its own, leave what it started in the background (a
  // server a deploy command starts) running instead of killing its group. Its output is
  // still read until every holder has closed it; at the timeout or on Cancel the whole
  // group is stopped as usual (TERM, grace, KILL).
  bool keep_background = false;
  // The value of GAUNTLET_TAG in `envp`, unique to this process: what it starts carries
  // it too, so at a timeout or Cancel whatever left the process group (setsid, a double
  // fork) is found by it and stopped with the group (exec/leftovers.h). Empty: none.
  std::string_view tag;
};

// The argv a job's shell gets: `bash` -> bash -eo pipefail -c, `sh` -> /bin/sh -e -c,
// anything else -> <shell> -c.
struct ShellArgs {
  std::string_view program;   // as given; resolved through PATH by the runner
  std::string_view flags[2];  // up to two flags before the script; empty ones skipped
};
ShellArgs ShellFor(std::string_view shell);

class ProcessRunner {
 public:
  // Receives what happens to started processes, on the thread that calls Poll.
  class Delegate {
   public:
    virtual ~Delegate() = default;
    // A chunk of combined stdout+stderr as it arrived (not line-aligned).
    virtual void OnOutput(ProcId id, std::string_view bytes) = 0;
    // The process and its whole group are gone and the output is drained.
    virtual void OnExit(ProcId id, const AttemptResult& result) = 0;
    // SIGINT/SIGTERM arrived (only when the runner was asked to catch them).
    virtual void OnCancelSignal() {}
  };

  virtual ~ProcessRunner() = default;

  // Starts `shell -c script` (or `argv`) in its own process group. An error means nothing
  // was started.
  virtual Result<ProcId> Start(const SpawnRequest& request) = 0;
  // SIGTERM to the whole group now, SIGKILL after the grace period (or at once when
  // called a second time); OnExit follows with `cancelled` set.
  virtual void Cancel(ProcId id) = 0;
  // Waits for events until at least one was delivered, `deadline` passed, or Wake().
  virtual Status Poll(TimePoint deadline, Delegate* delegate) = 0;
  // Makes a blocked Poll return. Thread-safe and async-signal-safe.
  virtual void Wake() = 0;
  virtual int running() const = 0;
  virtual Clock* clock() = 0;
};

}  // namespace gauntlet::exec
