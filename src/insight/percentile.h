// Percentiles of durations, by the nearest-rank method: the p-th percentile of n values
// is the value at rank ceil(p/100 * n) of the values sorted ascending (1-based), so it is
// always a value that was measured ("a run took this long"), never an interpolation
// between two runs. n = 1: every percentile is that value; n = 2: p50 is the smaller
// one, p95 and p99 the larger. docs/insight.md says why this method.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace gauntlet::insight {

// The rank (1-based) of the p-th percentile among n sorted values: ceil(p * n / 100),
// at least 1. p in [1, 100], n >= 1.
int64_t NearestRank(int p, int64_t n);

// The p-th percentile of `values` (reordered in place); nullopt when empty.
std::optional<int64_t> Percentile(std::vector<int64_t>& values, int p);

// p50, p95, p99 and the largest value of one series; nothing when it has no value.
struct Percentiles {
  int64_t count = 0;     // how many values there were
  bool sampled = false;  // percentiles from a uniform sample of them (Sample, beyond its cap)
  std::optional<int64_t> p50, p95, p99, max;
};
Percentiles Summarize(std::vector<int64_t> values);

// A series of values kept with bounded memory: every value up to `cap`, then a uniform
// sample of `cap` of them (reservoir sampling with a fixed seed, so the same history
// gives the same answer). Percentiles are exact while count() <= cap.
class Sample {
 public:
  static constexpr int64_t kDefaultCap = 200000;
  explicit Sample(int64_t cap = kDefaultCap) : cap_(cap) {}

  void Add(int64_t value);
  int64_t count() const { return count_; }
  bool exact() const { return count_ <= cap_; }
  Percentiles Summary() const { return WithCount(Summarize(kept_)); }

 private:
  Percentiles WithCount(Percentiles p) const {
    p.count = count_;
    p.sampled = !exact();
    if (count_ > 0) p.max = max_;  // the true largest, also beyond the cap
    return p;
  }
  int64_t cap_;
  int64_t count_ = 0;
  int64_t max_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;  // xorshift state
  std::vector<int64_t> kept_;
};

}  // namespace gauntlet::insight
