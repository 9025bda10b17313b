// Store: the defaults of the trust methods, for a store that does not keep them.
#include "store/store.h"

namespace gauntlet::store {

Status Store::RecordTrustChange(const TrustChangeRecord&) {
  return Error{"this store does not keep trust changes"};
}

Result<std::vector<TrustChangeRecord>> Store::ListTrustChanges(std::string_view, std::string_view) {
  return Error{"this store does not keep trust changes"};
}

}  // namespace gauntlet::store
