#include "plan/suggest.h"

#include <algorithm>

#include "core/strings.h"

namespace gauntlet::plan {
std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  const size_t limit = std::max<size_t>(1, name.size() / 3);
  size_t best = limit + 1;
  std::string_view found;
  for (std::string_view c : candidates) {
    // Cheap reject: the length difference bounds the distance from below.
    size_t diff = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
    if (diff > limit) continue;
    size_t d = gauntlet::EditDistance(name, c);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return std::string(found);
}

std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string c = ClosestName(name, candidates);
  return c.empty() ? "" : "did you mean '" + c + "'?";
}

}  // namespace gauntlet::plan
