// "Did you mean ...?" over string_views (no copies of thousands of job names); the
// distance is core::EditDistance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::plan {

// The candidate closest to `name` by edit distance, if close enough to be a likely
// typo (distance <= max(1, len/3)); "" when none is.
std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates);

// " (did you mean 'x'?)"-style hint text: "did you mean 'x'?", or "" when nothing is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace gauntlet::plan
