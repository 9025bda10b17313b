#include "insight/report.h"

namespace gauntlet::insight {
namespace {

std::optional<double> Ratio(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> Change(const std::optional<int64_t>& now,
                             const std::optional<int64_t>& before) {
  if (!now || !before || *before <= 0) return std::nullopt;
  return static_cast<double>(*now) / static_cast<double>(*before) - 1.0;
}

}  // namespace

std::optional<double> JobStats::success_rate() const {
  return Ratio(succeeded, succeeded + failed);
}

std::optional<double> JobStats::cache_hit_rate() const {
  if (!cache_key) return std::nullopt;
  return Ratio(cached, cached + duration.count);
}

std::optional<double> JobStats::trend() const { return Change(duration.p50, previous_p50_ms); }

std::optional<int64_t> JobStats::wait_mean_ms() const {
  if (wait_count <= 0) return std::nullopt;
  return wait_total_ms / wait_count;
}

std::optional<double> PipelineStats::success_rate() const {
  return Ratio(succeeded, succeeded + failed);
}

std::optional<double> PipelineStats::trend() const { return Change(duration.p50, previous_p50_ms); }

}  // namespace gauntlet::insight
