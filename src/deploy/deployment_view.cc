#include "deploy/deployment_view.h"

#include "store/store.h"

namespace gauntlet::deploy {

std::string DisplayState(const store::DeploymentRecord& d, const std::string& this_host) {
  if (d.state != store::kDeployRunning) return d.state;
  bool gone =
      d.engine_pid == 0 || (d.engine_host == this_host && !store::ProcessAlive(d.engine_pid));
  return gone ? "interrupted" : d.state;
}

std::string Position(const store::DeploymentRecord& d,
                     const std::vector<store::DeploymentEvent>& events) {
  std::string where = d.phase;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    // "step 2/3: 50% watched 1s": the same words and 1-based number as the progress line.
    if (it->kind == "phase" && it->detail.rfind(d.phase, 0) == 0) {
      where = it->detail;
      break;
    }
  }
  return where + ", weight " + std::to_string(std::max(0, d.weight)) + "%";
}

}  // namespace gauntlet::deploy
