// Store: the defaults of the reads of `gauntlet insight`, for a store that cannot stream
// its history.
#include "store/store.h"

namespace gauntlet::store {

Status Store::VisitRunHistory(const HistoryFilter&, const std::function<void(const HistoryRun&)>&) {
  return Error{"this store cannot read its run history for insight"};
}

Result<std::vector<DeploymentHistory>> Store::ListDeploymentHistory(UnixMs) {
  return Error{"this store cannot read its deployment history for insight"};
}

}  // namespace gauntlet::store
