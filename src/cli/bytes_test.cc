#include "cli/bytes.h"

#include <gtest/gtest.h>

namespace gauntlet::cli {
namespace {

TEST(BytesTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.50 KiB");
  EXPECT_EQ(HumanBytes(12 * 1024 * 1024), "12.0 MiB");
  EXPECT_EQ(HumanBytes(uint64_t{3} << 30), "3.00 GiB");
}

TEST(BytesTest, ParseAge) {
  EXPECT_EQ(*ParseAge("7d"), std::chrono::hours(24 * 7));
  EXPECT_EQ(*ParseAge("36h"), std::chrono::hours(36));
  EXPECT_EQ(*ParseAge("1d12h"), std::chrono::hours(36));
  EXPECT_EQ(*ParseAge("90m"), std::chrono::minutes(90));
  for (const char* bad : {"", "d", "7", "xd", "7dd", "-1d", "7w"}) {
    auto r = ParseAge(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("e.g. 7d"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace gauntlet::cli
