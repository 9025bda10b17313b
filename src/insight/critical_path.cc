#include "insight/critical_path.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace gauntlet::insight {
namespace {

// finish[i]: the longest chain ending with job i, itself included; best[i]: the need that
// chain comes through (-1 at its start).
void ForwardPass(const std::vector<PathNode>& nodes, int changed, int64_t changed_ms,
                 std::vector<int64_t>* finish, std::vector<int>* best) {
  const int n = static_cast<int>(nodes.size());
  finish->assign(n, 0);
  if (best) best->assign(n, -1);
  for (int i = 0; i < n; ++i) {
    int64_t start = 0;
    int via = -1;
    for (int need : nodes[i].needs) {
      if (need < 0 || need >= i) continue;
      int64_t f = (*finish)[need];
      if (via < 0 || f > start || (f == start && need < via)) {
        start = f;
        via = need;
      }
    }
    (*finish)[i] = start + (i == changed ? changed_ms : nodes[i].duration_ms);
    if (best) (*best)[i] = via;
  }
}

int64_t MaxOf(const std::vector<int64_t>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

}  // namespace

std::vector<std::vector<int>> ParseNeeds(std::string_view json) {
  std::vector<std::vector<int>> needs;
  nlohmann::json a = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!a.is_array()) return needs;
  for (const nlohmann::json& e : a) {
    std::vector<int>& row = needs.emplace_back();
    if (!e.is_array()) continue;
    for (const nlohmann::json& n : e) {
      if (n.is_number_integer()) row.push_back(n.get<int>());
    }
  }
  return needs;
}

CriticalPath LongestPath(const std::vector<PathNode>& nodes) {
  CriticalPath out;
  if (nodes.empty()) return out;
  std::vector<int64_t> finish;
  std::vector<int> best;
  ForwardPass(nodes, -1, 0, &finish, &best);
  // max_element returns the first of equal maxima: the lowest index.
  int last = static_cast<int>(std::max_element(finish.begin(), finish.end()) - finish.begin());
  out.length_ms = finish[last];
  for (int j = last; j >= 0; j = best[j]) out.jobs.push_back(j);
  std::reverse(out.jobs.begin(), out.jobs.end());
  return out;
}

int64_t ShrinkIf(const std::vector<PathNode>& nodes, int job, int64_t new_ms) {
  std::vector<int64_t> finish;
  ForwardPass(nodes, -1, 0, &finish, nullptr);
  int64_t before = MaxOf(finish);
  ForwardPass(nodes, job, new_ms, &finish, nullptr);
  return before - MaxOf(finish);
}

}  // namespace gauntlet::insight
