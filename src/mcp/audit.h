// The audit trail: every tool call (identity, tool, arguments with secrets masked,
// decision, outcome, duration) written to the workspace's store (store/audit_records.h),
// read back by `gauntlet audit`.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mcp/tool.h"
#include "store/audit_records.h"
#include "store/store.h"

namespace gauntlet::mcp {

// The arguments as the audit keeps them: the value of any key that names a secret
// (secret, token, password, passwd, api_key, credential) and every occurrence of a
// known secret value replaced by "***"; strings longer than 1 KiB cut, saying how long
// they were. Pure.
nlohmann::json MaskArguments(const nlohmann::json& arguments,
                             const std::vector<std::string>& secret_values);

// Thread-safe: the calls of a session's threads are recorded one at a time.
class AuditTrail {
 public:
  explicit AuditTrail(Workplace workplace) : workplace_(std::move(workplace)) {}
  // Records the call; a failure to record is said on stderr (the call is not undone).
  void Record(store::AuditRecord record);

 private:
  Workplace workplace_;
  std::mutex mu_;
  std::unique_ptr<store::Store> store_;  // opened on the first call
};

}  // namespace gauntlet::mcp
