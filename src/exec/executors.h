// The executors a run can be given, by name: the one place that turns "local" (today;
// "slurm" later) into a ProcessRunner, so no call site creates a runner by its type.
#pragma once

#include <memory>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "exec/process_runner.h"

namespace gauntlet::exec {

inline constexpr std::string_view kDefaultExecutor = "local";

// What every executor takes; each maps it to its own options.
struct RunnerOptions {
  Clock* clock = nullptr;  // null: RealClock()
  // From SIGTERM to SIGKILL when a process is cancelled or times out.
  Duration kill_grace{std::chrono::seconds(5)};
};

// A runner of the executor `name` (empty: the default). An unknown name is
// ErrorKind::kInvalid, listing the known ones.
Result<std::unique_ptr<ProcessRunner>> MakeRunner(std::string_view name,
                                                  const RunnerOptions& options);

}  // namespace gauntlet::exec
