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
  // Grow the heap now, then advise the grown part.
  void* probe = std::malloc(256 << 10);
  if (probe == nullptr) return;
  auto lo = reinterpret_cast<uintptr_t>(probe);
  auto hi = reinterpret_cast<uintptr_t>(sbrk(0));
  // When the heap is not where brk is (glibc fell back to mmap), there is
  // nothing sensible to advise.
  if (hi > lo && hi - lo <= 2 * kTopPad) {
    auto [begin, end] = HugePageSpan(lo, hi);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  std::free(probe);
}

}  // namespace gauntlet::core
