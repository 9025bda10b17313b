// Process-wide memory setup, done once at the start of main.
//
// Loading and planning a 10,000-job pipeline touches about 25 MB of fresh heap
// (the YAML tree, the model, the plan). With 4 KiB pages that is ~6,300 page
// faults, which cost more than the parsing itself: `gauntlet validate` was 1.09x
// `ninja -n` on the same graph, and the difference was all first-touch faults.
// PreferHugePages asks the kernel for transparent huge pages on the heap (the
// same thing glibc's `glibc.malloc.hugetlb=1` tunable does, which can only be set
// through the environment before the process starts): faults drop to ~500 and
// CPU time by ~25% (docs/performance.md). It is a hint: with THP set to `never`
// nothing changes, and under the sanitizers (their own allocator) it does nothing.
#pragma once

#include <cstdint>
#include <utility>

namespace gauntlet::core {

void PreferHugePages();

// The 2 MiB-aligned part of [lo, hi) that can be advised, as {begin, end};
// begin == end when there is none. Pure (for tests).
std::pair<uintptr_t, uintptr_t> HugePageSpan(uintptr_t lo, uintptr_t hi);

}  // namespace gauntlet::core
