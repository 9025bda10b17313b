#include "server/cron.h"

#include <gtest/gtest.h>

#include "server/time_testing.h"

namespace gauntlet::server {
namespace {

using testing::Utc;

std::optional<int64_t> Next(const std::string& expr, int64_t after, const std::string& zone = "") {
  auto s = CronSchedule::Parse(expr, zone);
  EXPECT_TRUE(s.ok()) << expr;
  return s.ok() ? s->NextAfter(after) : std::nullopt;
}

TEST(CronScheduleTest, StepsFireOnTheirMinutesAndStrictlyAfterTheGivenTime) {
  EXPECT_EQ(Next("*/15 * * * *", Utc(2024, 1, 1, 0, 7)), Utc(2024, 1, 1, 0, 15));
  EXPECT_EQ(Next("*/15 * * * *", Utc(2024, 1, 1, 0, 15)), Utc(2024, 1, 1, 0, 30));
  EXPECT_EQ(Next("*/15 * * * *", Utc(2024, 1, 1, 0, 15) - 1), Utc(2024, 1, 1, 0, 15));
  EXPECT_EQ(Next("*/15 * * * *", Utc(2024, 1, 1, 23, 45)), Utc(2024, 1, 2, 0, 0));
  // A lone value with a step runs to the field's end: 5, 20, 35, 50.
  EXPECT_EQ(Next("5/15 * * * *", Utc(2024, 1, 1, 0, 5)), Utc(2024, 1, 1, 0, 20));
  EXPECT_EQ(Next("5/15 * * * *", Utc(2024, 1, 1, 0, 50)), Utc(2024, 1, 1, 1, 5));
  EXPECT_EQ(Next("17 * * * *", Utc(2024, 1, 1, 0, 17)), Utc(2024, 1, 1, 1, 17));
}

TEST(CronScheduleTest, WeekdaysNamesAndSundayAsSeven) {
  // 2024-01-05 is a Friday.
  EXPECT_EQ(Next("0 3 * * 1-5", Utc(2024, 1, 5, 4, 0)), Utc(2024, 1, 8, 3, 0));
  EXPECT_EQ(Next("0 3 * * 1-5", Utc(2024, 1, 5, 2, 0)), Utc(2024, 1, 5, 3, 0));
  EXPECT_EQ(Next("0 0 * * 7", Utc(2024, 1, 5, 0, 0)), Utc(2024, 1, 7, 0, 0));
  EXPECT_EQ(Next("0 0 * * sun", Utc(2024, 1, 5, 0, 0)), Utc(2024, 1, 7, 0, 0));
  EXPECT_EQ(Next("30 12 1 jul,dec *", Utc(2024, 1, 5, 0, 0)), Utc(2024, 7, 1, 12, 30));
}

TEST(CronScheduleTest, BothDayFieldsRestrictedMeansEitherOtherwiseBoth) {
  // The 13th or a Friday: Friday the 5th comes first.
  EXPECT_EQ(Next("0 0 13 * 5", Utc(2024, 1, 1, 0, 0)), Utc(2024, 1, 5, 0, 0));
  EXPECT_EQ(Next("0 0 13 * 5", Utc(2024, 1, 12, 0, 0)), Utc(2024, 1, 13, 0, 0));
  // `*/2` starts with `*`: odd days that are Mondays (Jan 1 is one; the 8th is even).
  EXPECT_EQ(Next("0 0 */2 * 1", Utc(2024, 1, 1, 0, 0)), Utc(2024, 1, 15, 0, 0));
}

TEST(CronScheduleTest, LeapDaysAndImpossibleDates) {
  EXPECT_EQ(Next("0 0 29 2 *", Utc(2024, 3, 1, 0, 0)), Utc(2028, 2, 29, 0, 0));
  EXPECT_EQ(Next("0 0 30 2 *", Utc(2024, 3, 1, 0, 0)), std::nullopt);
  EXPECT_EQ(Next("0 0 31 * *", Utc(2024, 4, 1, 0, 0)), Utc(2024, 5, 31, 0, 0));
}

TEST(CronScheduleTest, ATimeZoneMovesTheInstantWithDaylightSaving) {
  EXPECT_EQ(Next("0 9 * * *", Utc(2024, 1, 15, 0, 0), "Europe/Berlin"), Utc(2024, 1, 15, 8, 0));
  EXPECT_EQ(Next("0 9 * * *", Utc(2024, 7, 15, 0, 0), "Europe/Berlin"), Utc(2024, 7, 15, 7, 0));
  EXPECT_EQ(Next("0 9 * * *", Utc(2024, 7, 15, 0, 0), "UTC"), Utc(2024, 7, 15, 9, 0));
}

TEST(CronScheduleTest, ASkippedTimeFiresOnceAtTheJump) {
  // Berlin, 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  const std::string berlin = "Europe/Berlin";
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 30, 12, 0), berlin), Utc(2024, 3, 31, 1, 0));
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 31, 1, 0), berlin), Utc(2024, 4, 1, 0, 30));
  // 02:30 and 03:00 both land on the jump: one fire, then 03:30 CEST.
  EXPECT_EQ(Next("0,30 2,3 * * *", Utc(2024, 3, 31, 1, 0), berlin), Utc(2024, 3, 31, 1, 30));
}

TEST(CronScheduleTest, ARepeatedTimeFiresOnceAtItsFirstOccurrence) {
  // Berlin, 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
  const std::string berlin = "Europe/Berlin";
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 10, 26, 12, 0), berlin), Utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 10, 27, 0, 30), berlin), Utc(2024, 10, 28, 1, 30));
}

TEST(CronScheduleTest, LastInGivesTheLatestSlotOfTheWindowBoundsIncluded) {
  auto s = CronSchedule::Parse("0 * * * *", "");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->LastIn(Utc(2024, 1, 1, 10, 0), Utc(2024, 1, 1, 13, 30)), Utc(2024, 1, 1, 13, 0));
  EXPECT_EQ(s->LastIn(Utc(2024, 1, 1, 10, 0), Utc(2024, 1, 1, 10, 59)), std::nullopt);
  EXPECT_EQ(s->LastIn(Utc(2024, 1, 1, 10, 0), Utc(2024, 1, 1, 11, 0)), Utc(2024, 1, 1, 11, 0));
  EXPECT_EQ(s->LastIn(Utc(2024, 1, 1, 11, 0), Utc(2024, 1, 1, 11, 0)), std::nullopt);
  // Years down: still the latest slot, found without walking every hour since.
  EXPECT_EQ(s->LastIn(Utc(2010, 1, 1, 0, 0), Utc(2024, 1, 1, 13, 30)), Utc(2024, 1, 1, 13, 0));
}

TEST(CronScheduleTest, BadExpressionsAndZonesAreRefused) {
  EXPECT_FALSE(CronSchedule::Parse("0 3 * *", "").ok());
  EXPECT_FALSE(CronSchedule::Parse("60 * * * *", "").ok());
  EXPECT_FALSE(CronSchedule::Parse("0 3 * * *", "Mars/Olympus").ok());
  EXPECT_TRUE(CronSchedule::Parse("0 3 * * *", "America/New_York").ok());
}

}  // namespace
}  // namespace gauntlet::server
