#include "insight/percentile.h"

#include <algorithm>

namespace gauntlet::insight {

int64_t NearestRank(int p, int64_t n) {
  // Integer arithmetic: ceil(p * n / 100) without floating-point rounding at the edges.
  int64_t rank = (static_cast<int64_t>(p) * n + 99) / 100;
  return std::clamp<int64_t>(rank, 1, n);
}

std::optional<int64_t> Percentile(std::vector<int64_t>& values, int p) {
  if (values.empty()) return std::nullopt;
  auto nth = values.begin() + (NearestRank(p, static_cast<int64_t>(values.size())) - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

Percentiles Summarize(std::vector<int64_t> values) {
  Percentiles out;
  out.count = static_cast<int64_t>(values.size());
  out.p50 = Percentile(values, 50);
  out.p95 = Percentile(values, 95);
  out.p99 = Percentile(values, 99);
  if (!values.empty()) out.max = *std::max_element(values.begin(), values.end());
  return out;
}

void Sample::Add(int64_t value) {
  max_ = count_ == 0 ? value : std::max(max_, value);
  ++count_;
  if (static_cast<int64_t>(kept_.size()) < cap_) {
    kept_.push_back(value);
    return;
  }
  // Algorithm R: the count_-th value replaces a kept one with probability cap_/count_.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  uint64_t slot = rng_ % static_cast<uint64_t>(count_);
  if (slot < static_cast<uint64_t>(cap_)) kept_[slot] = value;
}

}  // namespace gauntlet::insight
