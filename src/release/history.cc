#include "release/history.h"

namespace gauntlet::release {

Result<std::vector<ReleaseEntry>> History(store::Store& st, const std::string& pipeline,
                                          const std::optional<std::string>& package, int limit) {
  auto rows = st.ListReleases(pipeline, package, limit);
  if (!rows.ok()) return rows.error();
  std::vector<ReleaseEntry> out;
  for (store::ReleaseRecord& r : *rows) {
    auto steps = st.GetReleaseSteps(r.id);
    if (!steps.ok()) return steps.error();
    out.push_back({std::move(r), std::move(*steps)});
  }
  return out;
}

nlohmann::json HistoryJson(const std::vector<ReleaseEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const ReleaseEntry& e : entries) {
    const store::ReleaseRecord& r = e.release;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : e.steps)
      steps.push_back({{"name", s.step},
                       {"result", s.result},
                       {"detail", s.detail},
                       {"duration_ms", s.finished_ms > 0 ? s.finished_ms - s.started_ms : 0}});
    list.push_back({{"id", r.id},
                    {"pipeline", r.pipeline},
                    {"package", r.package},
                    {"version", r.version},
                    {"previous_version", r.previous_version},
                    {"tag", r.tag},
                    {"commit", r.git_commit},
                    {"branch", r.branch},
                    {"status", r.status},
                    {"reason", r.reason},
                    {"deployment_id", r.deployment_id},
                    {"started_ms", r.started_ms},
                    {"finished_ms", r.finished_ms},
                    {"steps", steps}});
  }
  return {{"releases", list}};
}

}  // namespace gauntlet::release
