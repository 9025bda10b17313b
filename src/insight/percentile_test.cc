#include "insight/percentile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace gauntlet::insight {
namespace {

TEST(InsightPercentile, NearestRankIsTheCeilingOfPTimesNOverHundred) {
  EXPECT_EQ(NearestRank(50, 1), 1);
  EXPECT_EQ(NearestRank(99, 1), 1);
  EXPECT_EQ(NearestRank(50, 2), 1);    // 1.0 exactly: no rounding up
  EXPECT_EQ(NearestRank(95, 2), 2);    // 1.9 -> 2
  EXPECT_EQ(NearestRank(50, 3), 2);    // 1.5 -> 2
  EXPECT_EQ(NearestRank(95, 20), 19);  // 19.0 exactly
  EXPECT_EQ(NearestRank(95, 21), 20);  // 19.95 -> 20
  EXPECT_EQ(NearestRank(99, 100), 99);
  EXPECT_EQ(NearestRank(99, 101), 100);  // 99.99 -> 100
  EXPECT_EQ(NearestRank(1, 100), 1);
  EXPECT_EQ(NearestRank(100, 7), 7);
}

TEST(InsightPercentile, EmptyHasNone) {
  std::vector<int64_t> none;
  EXPECT_FALSE(Percentile(none, 50));
  Percentiles p = Summarize({});
  EXPECT_EQ(p.count, 0);
  EXPECT_FALSE(p.p50 || p.p95 || p.p99 || p.max);
}

TEST(InsightPercentile, OneValueIsEveryPercentile) {
  Percentiles p = Summarize({42});
  EXPECT_EQ(p.count, 1);
  EXPECT_EQ(p.p50, 42);
  EXPECT_EQ(p.p95, 42);
  EXPECT_EQ(p.p99, 42);
  EXPECT_EQ(p.max, 42);
}

TEST(InsightPercentile, TwoValuesSplitAtTheMedian) {
  // Nearest rank: p50 is the smaller value (rank 1), p95 and p99 the larger (rank 2);
  // linear interpolation would give 15 for p50.
  Percentiles p = Summarize({20, 10});
  EXPECT_EQ(p.p50, 10);
  EXPECT_EQ(p.p95, 20);
  EXPECT_EQ(p.p99, 20);
}

TEST(InsightPercentile, TiesAreMeasuredValues) {
  Percentiles p = Summarize({5, 9, 5, 5});  // sorted 5 5 5 9
  EXPECT_EQ(p.p50, 5);                      // rank 2
  EXPECT_EQ(p.p95, 9);                      // rank ceil(3.8) = 4
  Percentiles same = Summarize({7, 7, 7});
  EXPECT_EQ(same.p50, 7);
  EXPECT_EQ(same.p99, 7);
}

TEST(InsightPercentile, HandComputedOverTwentyShuffledValues) {
  // 10, 20, ..., 200 in a scrambled order. p50: rank 10 -> 100; p95: rank 19 -> 190;
  // p99: rank ceil(19.8) = 20 -> 200. (numpy's linear method: 105, 190.5, 198.1.)
  std::vector<int64_t> v = {130, 10, 200, 70,  40, 190, 20, 160, 100, 50,
                            180, 90, 30,  150, 60, 120, 80, 170, 110, 140};
  Percentiles p = Summarize(v);
  EXPECT_EQ(p.count, 20);
  EXPECT_EQ(p.p50, 100);
  EXPECT_EQ(p.p95, 190);
  EXPECT_EQ(p.p99, 200);
  EXPECT_EQ(p.max, 200);
}

TEST(InsightPercentile, SampleIsExactUpToItsCap) {
  Sample s(/*cap=*/5);
  for (int64_t v : {3, 1, 4, 1, 5}) s.Add(v);
  Percentiles p = s.Summary();
  EXPECT_TRUE(s.exact());
  EXPECT_FALSE(p.sampled);
  EXPECT_EQ(p.count, 5);
  EXPECT_EQ(p.p50, 3);  // sorted 1 1 3 4 5, rank 3
  EXPECT_EQ(p.max, 5);
}

TEST(InsightPercentile, SampleBeyondItsCapKeepsCountAndMaxAndSaysSo) {
  Sample s(/*cap=*/100);
  for (int64_t v = 1; v <= 10000; ++v) s.Add(v);
  Percentiles p = s.Summary();
  EXPECT_FALSE(s.exact());
  EXPECT_TRUE(p.sampled);
  EXPECT_EQ(p.count, 10000);
  EXPECT_EQ(p.max, 10000);  // the true largest, not the sample's
  // A uniform sample of 1..10000: its median lies well inside the middle half.
  ASSERT_TRUE(p.p50);
  EXPECT_GT(*p.p50, 2500);
  EXPECT_LT(*p.p50, 7500);
}

}  // namespace
}  // namespace gauntlet::insight
