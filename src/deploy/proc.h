// Other processes, read from /proc: the nginx router finds its master's workers here to
// wait for the old ones to exit after a reload (they still serve the previous routing).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::deploy {

// A process as seen once: its pid and start time (clock ticks after boot), so a pid
// reused by a later process is not mistaken for it.
struct ProcessId {
  pid_t pid = 0;
  uint64_t start_time = 0;
};

// The running children of `parent` (zombies left out); empty when it has none or is gone.
std::vector<ProcessId> ChildrenOf(pid_t parent);

// Whether `p` still runs: same start time, not a zombie.
bool StillRunning(const ProcessId& p);

// The pid in a pid file (nginx's), or 0 when it cannot be read.
pid_t ReadPidFile(const std::string& path);

}  // namespace gauntlet::deploy
