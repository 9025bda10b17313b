#include "plan/suggest.h"

#include <algorithm>

namespace gauntlet::plan {
namespace {

// Edit distance counting a swap of two adjacent letters as one edit (optimal string
// alignment), since that is the commonest typo.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  const size_t limit = std::max<size_t>(1, name.size() / 3);
  size_t best = limit + 1;
  std::string_view found;
  for (std::string_view c : candidates) {
    // Cheap reject: the length difference bounds the distance from below.
    size_t diff = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
    if (diff > limit) continue;
    size_t d = EditDistance(name, c);
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
