#include "core/duration.h"

#include <gtest/gtest.h>

namespace gauntlet {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(*ParseDuration("500ms"), Duration{500});
  EXPECT_EQ(*ParseDuration("10s"), seconds(10));
  EXPECT_EQ(*ParseDuration("5m"), minutes(5));
  EXPECT_EQ(*ParseDuration("1h"), hours(1));
  EXPECT_EQ(*ParseDuration("1m30s"), seconds(90));
  EXPECT_EQ(*ParseDuration("1h2m3s4ms"), Duration{3723004});
  EXPECT_EQ(*ParseDuration("0s"), Duration{0});
}

TEST(DurationTest, RejectsBadSpellings) {
  EXPECT_FALSE(ParseDuration("10").ok());
  EXPECT_EQ(DurationHint("10"), "add a unit: 10s");
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("10x").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
  EXPECT_FALSE(ParseDuration("1.5s").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999999h").ok());
  EXPECT_NE(ParseDuration("10x").error().message.find("unknown unit 'x'"), std::string::npos);
}

TEST(DurationTest, FormatsShortestAndRoundTrips) {
  EXPECT_EQ(FormatDuration(Duration{0}), "0s");
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(Duration{250}), "250ms");
  EXPECT_EQ(FormatDuration(hours(1)), "1h");
  EXPECT_EQ(FormatDuration(Duration{1500}), "1500ms");
  for (int64_t ms : {1, 999, 1000, 61000, 3600001, 86400000}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(Duration{ms})), Duration{ms}) << ms;
  }
}

}  // namespace
}  // namespace gauntlet
