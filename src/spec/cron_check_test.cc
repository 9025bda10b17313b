#include "spec/cron_check.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

TEST(CronCheckTest, AcceptsCommonForms) {
  for (const char* ok : {"0 3 * * *", "*/15 * * * *", "0 9-17/2 * * mon-fri", "0 0 1,15 * *",
                         "5 4 * jan,jul 0", "0 0 * * 7", "  1 2 3 4 5  "}) {
    EXPECT_FALSE(CheckCron(ok).has_value()) << ok;
  }
}

TEST(CronCheckTest, RejectsWithOffsetOfBadField) {
  auto p = CheckCron("0 24 * * *");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->offset, 2u);
  EXPECT_EQ(p->message, "hour '24' is out of range");
  EXPECT_TRUE(CheckCron("0 3 * *"));
  EXPECT_TRUE(CheckCron("0 3 * * * *"));
  EXPECT_TRUE(CheckCron("*/0 * * * *"));
  EXPECT_TRUE(CheckCron("5-1 * * * *"));
  EXPECT_TRUE(CheckCron("0 0 0 * *"));
  EXPECT_TRUE(CheckCron("0 0 * 13 *"));
  EXPECT_TRUE(CheckCron("a * * * *"));
  EXPECT_TRUE(CheckCron("1,,2 * * * *"));
  EXPECT_TRUE(CheckCron(""));
}

}  // namespace
}  // namespace gauntlet::spec
