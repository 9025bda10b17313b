#include "core/memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

namespace gauntlet::core {
namespace {

constexpr uintptr_t kMiB = 1 << 20;

TEST(MemoryTest, HugePageSpanKeepsTheAlignedInside) {
  EXPECT_EQ(HugePageSpan(1 * kMiB, 9 * kMiB), std::make_pair(2 * kMiB, 8 * kMiB));
  EXPECT_EQ(HugePageSpan(2 * kMiB, 4 * kMiB), std::make_pair(2 * kMiB, 4 * kMiB));
  EXPECT_EQ(HugePageSpan(2 * kMiB + 1, 6 * kMiB + 5), std::make_pair(4 * kMiB, 6 * kMiB));
  EXPECT_EQ(HugePageSpan(2 * kMiB + 1, 4 * kMiB + 5), std::make_pair(uintptr_t{0}, uintptr_t{0}));
  EXPECT_EQ(HugePageSpan(3 * kMiB, 3 * kMiB + 5), std::make_pair(uintptr_t{0}, uintptr_t{0}));
  EXPECT_EQ(HugePageSpan(5 * kMiB, 1 * kMiB), std::make_pair(uintptr_t{0}, uintptr_t{0}));
}

TEST(MemoryTest, AllocationStillWorksAfterwards) {
  PreferHugePages();
  PreferHugePages();  // twice is harmless
  std::vector<char> big(24 * kMiB, 'x');
  EXPECT_EQ(big[big.size() - 1], 'x');
  void* p = std::malloc(100);
  ASSERT_NE(p, nullptr);
  std::free(p);
}

}  // namespace
}  // namespace gauntlet::core
