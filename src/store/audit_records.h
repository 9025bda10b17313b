// The audit trail of the MCP face (docs/agents.md): one row per tool call an agent made,
// allowed or denied. Plain data, shared by every Store.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet::store {

struct AuditRecord {
  int64_t id = 0;        // assigned by RecordAudit
  int64_t at_ms = 0;     // when the call arrived
  std::string identity;  // who called (the session's identity)
  std::string level;     // their trust level when they called: L0..L3
  std::string tool;
  std::string arguments;  // JSON, secret values masked
  std::string decision;   // allowed | denied | invalid (arguments failed the schema)
  std::string outcome;    // ok | error | cancelled | denied: what the call ended as
  std::string detail;     // why denied, or the error; "" when ok
  int64_t duration_ms = 0;
};

struct AuditFilter {
  std::string identity;  // "" every identity
  int64_t since_ms = 0;  // calls at or after
  int limit = 1000;
};

}  // namespace gauntlet::store
