// The trust gateway: before every tool call, whether this identity may make it. Pure apart
// from the clock and the trust lookup it is given, so the policy is tested without a
// repository. The defaults (docs/agents.md): anyone may read, validate, plan, run and
// diagnose; deploy and promote to a protected environment need L3; abort and rollback are
// always allowed (the safe direction); a real release needs L2; every identity gets
// `calls_per_minute` calls.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "gate/trust.h"
#include "mcp/tool.h"

namespace gauntlet::mcp {

struct Policy {
  // Environment names (globs: "*" every one) that deploy and promote guard.
  std::vector<std::string> protected_environments = {"production", "prod"};
  gate::TrustLevel deploy_protected = gate::TrustLevel::kL3;
  gate::TrustLevel release = gate::TrustLevel::kL2;
  int calls_per_minute = 120;  // per identity, every tool
};

// Reads a policy file (JSON, docs/agents.md): any of "protected_environments",
// "deploy_protected_level", "release_level" ("L0".."L3"), "calls_per_minute"; the keys
// left out keep their defaults. Unknown keys and wrong types are errors naming the key.
Result<Policy> ParsePolicy(const nlohmann::json& doc);
Result<Policy> LoadPolicy(const std::string& path);

// At most `limit` calls in any 60 s, per identity (a sliding window). Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int limit, Clock* clock) : limit_(limit), clock_(clock) {}
  // True, counting the call; false (not counted) with *retry_after_ms set.
  bool Take(const std::string& identity, int64_t* retry_after_ms);

 private:
  const int limit_;
  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, std::deque<TimePoint>> calls_;
};

struct Decision {
  bool allowed = true;
  std::string reason;  // denied: why, and what would allow it
  std::string level;   // the identity's level when it was looked up ("" not needed)
  int64_t approval = 0;  // allowed by this approval (a person's, used now)
};

// For a deploy or promote the identity's level does not allow: the approval a person gave
// for this very action (used by this call: `approved`), else the pending request for one,
// created if needed (`pending`). store/approvals.h keeps them.
struct ApprovalAnswer {
  int64_t approved = 0;
  int64_t pending = 0;
  std::string error;  // neither could be read or made
};
using ApprovalLookup = std::function<ApprovalAnswer(
    const std::string& identity, const std::string& tool, const std::string& environment,
    const nlohmann::json& arguments)>;

// The identity's trust level in the pipeline's history (engine::ReadTrust); an error
// counts as L0.
using LevelLookup = std::function<Result<gate::TrustLevel>(const std::string& identity)>;

class Gateway {
 public:
  // Without `approvals`, a deploy or promote below the level is refused with no request
  // made.
  Gateway(Policy policy, Clock* clock, LevelLookup lookup, ApprovalLookup approvals = nullptr);
  const Policy& policy() const { return policy_; }
  // Whether `identity` may call `tool` with these (already schema-checked) arguments.
  Decision Check(const std::string& identity, const Tool& tool, const nlohmann::json& arguments);
  bool IsProtected(const std::string& environment) const;

 private:
  Decision NeedLevel(const std::string& identity, gate::TrustLevel needed,
                     const std::string& what, const std::string& instead);

  Policy policy_;
  RateLimiter limiter_;
  LevelLookup lookup_;
  ApprovalLookup approvals_;
};

}  // namespace gauntlet::mcp
