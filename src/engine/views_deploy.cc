#include "engine/views_deploy.h"

#include "deploy/deployment_view.h"
#include "store/store.h"

namespace gauntlet::engine {

nlohmann::json DeploymentJson(const store::DeploymentRecord& d,
                              const std::vector<store::DeploymentEvent>& events, bool with_events,
                              int64_t now_ms) {
  int64_t end = d.finished_ms ? d.finished_ms : now_ms;
  nlohmann::json j = {{"id", d.id},
                      {"environment", d.environment},
                      {"version", d.version},
                      {"strategy", d.strategy},
                      {"state", deploy::DisplayState(d, store::HostName())},
                      {"phase", d.phase},
                      {"step", d.step},
                      {"weight", d.weight},
                      {"target_slot", d.target_slot},
                      {"stable_slot", d.stable_slot},
                      {"previous_version", d.previous_version},
                      {"git_commit", d.git_commit},
                      {"trigger", d.trigger},
                      {"reason", d.reason},
                      {"engine_pid", d.engine_pid},
                      {"engine_host", d.engine_host},
                      {"started_ms", d.started_ms},
                      {"finished_ms", d.finished_ms},
                      {"duration_ms", d.started_ms ? end - d.started_ms : 0}};
  // null until the probe has measured the new version (docs/deploy.md, "SLOs").
  j["observed"] = nullptr;
  if (d.observed_requests > 0) {
    j["observed"] = {{"requests", d.observed_requests},
                     {"errors", d.observed_errors},
                     {"error_rate", d.observed_error_rate()},
                     {"p50_ms", d.observed_p50_ms},
                     {"p95_ms", d.observed_p95_ms},
                     {"p99_ms", d.observed_p99_ms}};
  }
  nlohmann::json verdicts = nlohmann::json::array(), all = nlohmann::json::array();
  for (const auto& e : events) {
    if (e.kind == "verdict" && !e.json.empty()) {
      nlohmann::json m = nlohmann::json::parse(e.json, nullptr, false);
      if (!m.is_discarded()) {
        m["step"] = e.step;
        m["weight"] = e.weight;
        m["at_ms"] = e.at_ms;
        verdicts.push_back(std::move(m));
      }
    }
    if (with_events) {
      all.push_back({{"seq", e.seq},
                     {"at_ms", e.at_ms},
                     {"kind", e.kind},
                     {"step", e.step},
                     {"weight", e.weight},
                     {"verdict", e.verdict},
                     {"detail", e.detail}});
    }
  }
  j["verdicts"] = std::move(verdicts);
  if (d.active()) j["position"] = deploy::Position(d, events);
  if (with_events) j["events"] = std::move(all);
  return j;
}

}  // namespace gauntlet::engine
