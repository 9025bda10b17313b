// How a deployment reads to a person (`gauntlet deployments`, `--json`): its state as
// this host can tell it, and where an active one stands, in the progress line's words.
#pragma once

#include <string>
#include <vector>

#include "store/deploy_records.h"

namespace gauntlet::deploy {

// "interrupted" for a running deployment whose engine is gone (on this host and dead,
// or none recorded), as `gauntlet runs` says of runs; else its recorded state.
std::string DisplayState(const store::DeploymentRecord& d, const std::string& this_host);

// Where it stands, from its last phase event: "step 2/3: 50% watched 1s, weight 50%",
// "deploy batch 1/2, weight 0%", "scale_down of blue, weight 100%".
std::string Position(const store::DeploymentRecord& d,
                     const std::vector<store::DeploymentEvent>& events);

}  // namespace gauntlet::deploy
