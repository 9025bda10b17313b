#include "engine/run_list.h"

#include <algorithm>

#include "engine/views_run.h"

namespace gauntlet::engine {

Result<std::vector<ListedRun>> FindRuns(store::Store& s, const store::RunFilter& filter) {
  const std::optional<store::RunStatus> wanted = filter.status;
  std::vector<store::RunRecord> runs;
  auto list = [&](std::optional<store::RunStatus> status) -> Status {
    store::RunFilter f = filter;
    f.status = status;
    auto r = s.ListRuns(f);
    if (!r.ok()) return r.error();
    for (auto& run : *r) {
      if (!wanted || ShownStatus(run) == store::ToString(*wanted)) runs.push_back(std::move(run));
    }
    return Ok();
  };
  if (wanted == store::RunStatus::kInterrupted) {
    // Stored as 'interrupted' (after --resume or cancel noticed it), or still 'running'
    // with a dead engine: both are shown as interrupted.
    for (store::RunStatus st : {store::RunStatus::kRunning, store::RunStatus::kInterrupted}) {
      if (Status ok = list(st); !ok.ok()) return ok.error();
    }
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    if (static_cast<int>(runs.size()) > filter.limit) runs.resize(filter.limit);
  } else if (Status ok = list(wanted); !ok.ok()) {
    return ok.error();
  }
  std::vector<ListedRun> out;
  out.reserve(runs.size());
  for (auto& run : runs) {
    ListedRun l{std::move(run), {}};
    // Test counts and coverage: only runs whose jobs have `reports:` have any.
    if (auto m = s.GetMetrics(l.run.id); m.ok()) l.metrics = std::move(*m);
    out.push_back(std::move(l));
  }
  return out;
}

nlohmann::json ListedRunJson(const ListedRun& r, int64_t now_ms) {
  nlohmann::json j = RunJson(r.run, now_ms);
  j["tests"] = TestsJson(r.metrics);
  j["coverage"] = CoverageJson(r.metrics);
  return j;
}

}  // namespace gauntlet::engine
