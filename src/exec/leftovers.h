// Job processes found by their GAUNTLET_TAG (scheduler.h), wherever they went. A process
// that left its job's process group (setsid, a double fork) is not reached by
// kill(-pgid), and one that outlived a killed engine is nobody's child any more; but its
// environment, as /proc/PID/environ shows it, still carries the tag of the job attempt
// that started it, and the tag is never reused (unlike a pid or a process group id).
//
// What this cannot see: a process that cleared its environment (`env -i`), and, when
// gauntlet is not root, processes of other users (their environ is not readable).
// docs/running.md says which mechanism stops what.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "core/result.h"

namespace gauntlet::exec {

// Processes (not this one) whose GAUNTLET_TAG is `tag`, or, with `prefix`, starts with
// `tag` followed by '/'.
std::vector<pid_t> FindTagged(std::string_view tag, bool prefix);

// Sends `signal` to each process FindTagged returns; how many there were.
int SignalTagged(std::string_view tag, bool prefix, int signal);

// SIGKILLs every process whose tag starts with one of `prefixes` followed by '/',
// waits for each to exit, and scans again for any started meanwhile, until a scan finds
// none: then nothing carrying such a tag runs. The number killed; an error naming the
// survivors after `timeout`. No prefixes: no scan.
Result<int> KillTagged(const std::vector<std::string>& prefixes, Duration timeout);

}  // namespace gauntlet::exec
