#include "plan/select.h"

#include <string_view>

#include "plan/suggest.h"

namespace gauntlet::plan {
namespace {

Result<std::vector<JobId>> Lookup(const Plan& plan, const std::string& name) {
  std::vector<JobId> ids = plan.Find(name);
  if (!ids.empty()) return ids;
  std::vector<std::string_view> candidates;
  candidates.reserve(plan.jobs.size() * 2);
  for (const PlannedJob& j : plan.jobs) {
    candidates.push_back(j.name);
    if (j.base_name != j.name) candidates.push_back(j.base_name);
  }
  std::string hint = DidYouMean(name, candidates);
  return Error{"no job named '" + name + "'" + (hint.empty() ? "" : " (" + hint + ")")};
}

// Marks everything reachable from `seeds` along `edges` (needs or dependents) and returns
// the marked ids in plan order.
template <typename Edges>
std::vector<JobId> Closure(const Plan& plan, const std::vector<JobId>& seeds, Edges edges) {
  std::vector<char> in(plan.jobs.size(), 0);
  std::vector<JobId> stack = seeds;
  while (!stack.empty()) {
    JobId id = stack.back();
    stack.pop_back();
    if (in[id]) continue;
    in[id] = 1;
    for (JobId next : edges(plan.jobs[id])) stack.push_back(next);
  }
  std::vector<JobId> out;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i]) out.push_back(static_cast<JobId>(i));
  return out;
}

}  // namespace

Result<std::vector<JobId>> SelectOnly(const Plan& plan, const std::vector<std::string>& names) {
  std::vector<JobId> seeds;
  for (const std::string& name : names) {
    auto ids = Lookup(plan, name);
    if (!ids) return ids.error();
    seeds.insert(seeds.end(), ids->begin(), ids->end());
  }
  return Closure(plan, seeds,
                 [](const PlannedJob& j) -> const std::vector<JobId>& { return j.needs; });
}

Result<std::vector<JobId>> SelectFrom(const Plan& plan, const std::string& name) {
  auto ids = Lookup(plan, name);
  if (!ids) return ids.error();
  return Closure(plan, *ids,
                 [](const PlannedJob& j) -> const std::vector<JobId>& { return j.dependents; });
}

}  // namespace gauntlet::plan
