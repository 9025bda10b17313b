#include "mcp/gateway.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "core/glob.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;
constexpr auto kWindow = std::chrono::seconds(60);

Result<gate::TrustLevel> ParseLevel(const json& v, const std::string& key) {
  static const char* kNames[] = {"L0", "L1", "L2", "L3"};
  if (v.is_string()) {
    for (int i = 0; i < 4; ++i)
      if (v == kNames[i]) return static_cast<gate::TrustLevel>(i);
  }
  return Error{fmt::format("policy: {} must be one of \"L0\", \"L1\", \"L2\", \"L3\" (got {})", key,
                           v.dump())};
}

}  // namespace

Result<Policy> ParsePolicy(const json& doc) {
  Policy p;
  if (!doc.is_object()) return Error{"policy: the file must hold a JSON object"};
  for (const auto& [key, v] : doc.items()) {
    if (key == "protected_environments") {
      if (!v.is_array()) return Error{"policy: protected_environments must be a list of names"};
      p.protected_environments.clear();
      for (const json& e : v) {
        if (!e.is_string() || e.get_ref<const std::string&>().empty())
          return Error{"policy: protected_environments must be a list of non-empty names"};
        p.protected_environments.push_back(e);
      }
    } else if (key == "deploy_protected_level") {
      auto l = ParseLevel(v, key);
      if (!l.ok()) return l.error();
      p.deploy_protected = *l;
    } else if (key == "release_level") {
      auto l = ParseLevel(v, key);
      if (!l.ok()) return l.error();
      p.release = *l;
    } else if (key == "calls_per_minute") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1'000'000)
        return Error{"policy: calls_per_minute must be an integer from 1 to 1000000"};
      p.calls_per_minute = v.get<int>();
    } else {
      return Error{fmt::format(
          "policy: unknown key \"{}\" (known: protected_environments, deploy_protected_level, "
          "release_level, calls_per_minute)",
          key)};
    }
  }
  return p;
}

Result<Policy> LoadPolicy(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Errno("cannot read policy file " + path, errno);
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) return Error{path + ": not valid JSON"};
  auto p = ParsePolicy(doc);
  if (!p.ok()) return Error{path + ": " + p.error().message};
  return p;
}

bool RateLimiter::Take(const std::string& identity, int64_t* retry_after_ms) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_->Now();
  std::deque<TimePoint>& q = calls_[identity];
  while (!q.empty() && now - q.front() >= kWindow) q.pop_front();
  if (static_cast<int>(q.size()) >= limit_) {
    *retry_after_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(q.front() + kWindow - now).count();
    return false;
  }
  q.push_back(now);
  return true;
}

Gateway::Gateway(Policy policy, Clock* clock, LevelLookup lookup, ApprovalLookup approvals)
    : policy_(std::move(policy)),
      limiter_(policy_.calls_per_minute, clock),
      lookup_(std::move(lookup)),
      approvals_(std::move(approvals)) {}

bool Gateway::IsProtected(const std::string& environment) const {
  auto m = MatchAny(policy_.protected_environments, environment);
  return !m.ok() || *m;  // an unreadable pattern protects rather than exposes
}

Decision Gateway::NeedLevel(const std::string& identity, gate::TrustLevel needed,
                            const std::string& what, const std::string& instead) {
  Decision d;
  auto level = lookup_(identity);
  const gate::TrustLevel have = level.ok() ? *level : gate::TrustLevel::kL0;
  d.level = std::string(gate::ToString(have));
  if (have >= needed) return d;
  d.allowed = false;
  d.reason = fmt::format(
      "denied: {} needs trust level {} and {} is {}{}. What would allow it: {} earning {} "
      "(`trust` shows what the next level needs), or {}",
      what, gate::ToString(needed), identity, d.level,
      level.ok() ? "" : " (its level could not be read: " + level.error().message + ")", identity,
      gate::ToString(needed), instead);
  return d;
}

Decision Gateway::Check(const std::string& identity, const Tool& tool, const json& arguments) {
  int64_t retry_ms = 0;
  if (!limiter_.Take(identity, &retry_ms)) {
    return {false,
            fmt::format("denied: rate limit of {} calls a minute for {} reached; retry in {:.1f} s "
                        "(the limit is calls_per_minute in the policy file)",
                        policy_.calls_per_minute, identity, retry_ms / 1000.0),
            ""};
  }
  switch (tool.access) {
    case Access::kRead:
    case Access::kRun:
    case Access::kSafe:
      return {};
    case Access::kDeploy: {
      const std::string env = tool.environment_of ? tool.environment_of(arguments) : "";
      if (!IsProtected(env)) return {};
      const bool can_ask = approvals_ && (tool.name == "deploy" || tool.name == "promote");
      Decision d = NeedLevel(
          identity, policy_.deploy_protected,
          fmt::format("{} to the protected environment {}", tool.name, env),
          can_ask ? "a person's approval"
                  : fmt::format("a person running `gauntlet {} {}` themselves", tool.name, env));
      if (d.allowed || !can_ask) return d;
      ApprovalAnswer a = approvals_(identity, tool.name, env, arguments);
      if (a.approved > 0) return {true, "", d.level, a.approved};
      d.reason += a.pending > 0
                      ? fmt::format(". Approval {} pending; a person runs `gauntlet approve {}` "
                                    "(or `gauntlet approve {} --deny`), then call {} again "
                                    "with the same arguments: the approval allows it once",
                                    a.pending, a.pending, a.pending, tool.name)
                      : ". No approval request could be made: " + a.error;
      return d;
    }
    case Access::kRelease:
      if (arguments.value("dry_run", true)) return {};
      return NeedLevel(identity, policy_.release, "a real release (dry_run false)",
                       "a dry run (dry_run true), which anyone may make, or a person running "
                       "`gauntlet release` themselves");
  }
  return {};
}

}  // namespace gauntlet::mcp
