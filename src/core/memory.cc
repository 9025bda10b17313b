#include "core/memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

namespace gauntlet::core {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
// The heap grows in steps this big, so one madvise covers what a large pipeline
// needs. Only virtual address space: untouched pages cost nothing.
constexpr size_t kTopPad = size_t{64} << 20;

// The block kept below the first huge page (volatile: a malloc whose result is never
// read may be left out by the compiler).
void* volatile gKeptBelowHugePages = nullptr;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

std::pair<uintptr_t, uintptr_t> HugePageSpan(uintptr_t lo, uintptr_t hi) {
  uintptr_t begin = (lo + kHugePage - 1) & ~(kHugePage - 1);
  uintptr_t end = hi & ~(kHugePage - 1);
  if (end <= begin) return {0, 0};
  return {begin, end};
}

void PreferHugePages() {
  if constexpr (kSanitized) return;
  // Keep large blocks on the brk heap (one advised region) rather than in
  // separate mmaps, grow it in big steps, and never hand the top back early.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, kTopPad);
  mallopt(M_TRIM_THRESHOLD, 2 * kTopPad);
  // Every thread allocates from this heap: a thread's own arena is a fresh mmap that
  // faults in 4 KiB at a time (a third of a cached run's faults were there).
  mallopt(M_ARENA_MAX, 1);
  // Grow the heap now, then advise the grown part.
  void* probe = std::malloc(256 << 10);
  if (probe == nullptr) return;
  auto lo = reinterpret_cast<uintptr_t>(probe);
  auto hi = reinterpret_cast<uintptr_t>(sbrk(0));
  // When the heap is not where brk is (glibc fell back to mmap), there is
  // nothing sensible to advise.
  if (hi <= lo || hi - lo > 2 * kTopPad) {
    std::free(probe);
    return;
  }
  auto [begin, end] = HugePageSpan(lo, hi);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  std::free(probe);
  // The heap's first up-to-2 MiB, below the first huge page, would still fault 4 KiB at a
  // time, and a small run lives there. A block that spans it, kept and never touched
  // (address space only), starts what follows at the huge page.
  if (begin > lo + 4096) gKeptBelowHugePages = std::malloc(begin - lo - 2 * sizeof(size_t));
}

}  // namespace gauntlet::core
