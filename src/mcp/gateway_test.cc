#include "mcp/gateway.h"

#include <gtest/gtest.h>

namespace gauntlet::mcp {
namespace {

using gate::TrustLevel;
using nlohmann::json;

Tool MakeTool(std::string name, Access access) {
  Tool t;
  t.name = std::move(name);
  t.access = access;
  t.environment_of = [](const json& a) { return a.value("environment", ""); };
  return t;
}

struct Fixture {
  FakeClock clock;
  std::map<std::string, TrustLevel> levels;
  int lookups = 0;
  Gateway Make(Policy p = {}) {
    return Gateway(std::move(p), &clock, [this](const std::string& who) -> Result<TrustLevel> {
      ++lookups;
      auto it = levels.find(who);
      if (it == levels.end()) return TrustLevel::kL0;
      return it->second;
    });
  }
};

TEST(Gateway, ProtectedDeployNeedsL3) {
  Fixture f;
  f.levels = {{"l2@x", TrustLevel::kL2}, {"l3@x", TrustLevel::kL3}};
  Gateway g = f.Make();
  Tool deploy = MakeTool("deploy", Access::kDeploy);
  const json prod = {{"environment", "production"}};
  Decision d = g.Check("new@x", deploy, prod);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.level, "L0");
  EXPECT_NE(d.reason.find("needs trust level L3"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("new@x is L0"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("What would allow it"), std::string::npos);
  EXPECT_FALSE(g.Check("l2@x", deploy, prod).allowed);  // one below: denied
  EXPECT_TRUE(g.Check("l3@x", deploy, prod).allowed);   // at the level: allowed
  // An environment the policy does not protect: anyone, without asking the level.
  const int before = f.lookups;
  EXPECT_TRUE(g.Check("new@x", deploy, {{"environment", "staging"}}).allowed);
  EXPECT_EQ(f.lookups, before);
}

TEST(Gateway, BelowTheLevelADeployAsksForApprovalAndAnApprovalAllowsIt) {
  Fixture f;
  f.levels = {{"l3@x", TrustLevel::kL3}};
  std::vector<std::string> asked;
  ApprovalAnswer next{0, 7, ""};
  Gateway g(Policy{}, &f.clock, [&f](const std::string& who) -> Result<TrustLevel> {
    auto it = f.levels.find(who);
    return it == f.levels.end() ? TrustLevel::kL0 : it->second;
  }, [&](const std::string& who, const std::string& tool, const std::string& env, const json& a) {
    asked.push_back(who + " " + tool + " " + env + " " + a.value("version", ""));
    return next;
  });
  Tool deploy = MakeTool("deploy", Access::kDeploy);
  const json prod = {{"environment", "production"}, {"version", "1.0.0"}};
  Decision d = g.Check("new@x", deploy, prod);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("needs trust level L3"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("Approval 7 pending; a person runs `gauntlet approve 7`"),
            std::string::npos)
      << d.reason;
  EXPECT_EQ(asked, std::vector<std::string>{"new@x deploy production 1.0.0"});
  next = {7, 0, ""};
  d = g.Check("new@x", deploy, prod);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.approval, 7);
  next = {0, 0, "disk full"};
  EXPECT_NE(g.Check("new@x", deploy, prod).reason.find("No approval request could be made: disk full"),
            std::string::npos);
  // L3 and an unprotected environment ask nothing.
  asked.clear();
  EXPECT_TRUE(g.Check("l3@x", deploy, prod).allowed);
  EXPECT_TRUE(g.Check("new@x", deploy, {{"environment", "staging"}}).allowed);
  EXPECT_TRUE(asked.empty());
  // A promote asks too, as a promote, and its denial says to call promote again.
  next = {0, 8, ""};
  d = g.Check("new@x", MakeTool("promote", Access::kDeploy), {{"environment", "production"}});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("Approval 8 pending"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("then call promote again"), std::string::npos) << d.reason;
  EXPECT_EQ(asked, std::vector<std::string>{"new@x promote production "});
  // Another tool with deploy access (none today) would not ask.
  asked.clear();
  EXPECT_FALSE(g.Check("new@x", MakeTool("other", Access::kDeploy), prod).allowed);
  EXPECT_TRUE(asked.empty());
}

TEST(Gateway, RollbackAndAbortAlwaysAllowedReadsAndRunsToo) {
  Fixture f;
  Gateway g = f.Make();
  for (Access a : {Access::kSafe, Access::kRead, Access::kRun})
    EXPECT_TRUE(g.Check("new@x", MakeTool("t", a), {{"environment", "production"}}).allowed);
  EXPECT_EQ(f.lookups, 0);
}

TEST(Gateway, RealReleaseNeedsL2DryRunDoesNot) {
  Fixture f;
  f.levels = {{"l1@x", TrustLevel::kL1}, {"l2@x", TrustLevel::kL2}};
  Gateway g = f.Make();
  Tool release = MakeTool("release", Access::kRelease);
  EXPECT_TRUE(g.Check("l1@x", release, {{"dry_run", true}}).allowed);
  EXPECT_TRUE(g.Check("l1@x", release, json::object()).allowed);  // dry run by default
  Decision d = g.Check("l1@x", release, {{"dry_run", false}});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("L2"), std::string::npos);
  EXPECT_TRUE(g.Check("l2@x", release, {{"dry_run", false}}).allowed);
}

TEST(Gateway, PolicyOverridesProtectionAndLevels) {
  Fixture f;
  f.levels = {{"l1@x", TrustLevel::kL1}};
  auto p = ParsePolicy({{"protected_environments", {"stag*"}}, {"deploy_protected_level", "L1"}});
  ASSERT_TRUE(p.ok()) << p.error().message;
  Gateway g = f.Make(*p);
  Tool deploy = MakeTool("deploy", Access::kDeploy);
  EXPECT_TRUE(g.Check("new@x", deploy, {{"environment", "production"}}).allowed);
  EXPECT_FALSE(g.Check("new@x", deploy, {{"environment", "staging"}}).allowed);
  EXPECT_TRUE(g.Check("l1@x", deploy, {{"environment", "staging"}}).allowed);
}

TEST(Gateway, PolicyErrorsNameTheKey) {
  EXPECT_NE(ParsePolicy({{"calls_per_minit", 3}}).error().message.find("calls_per_minit"),
            std::string::npos);
  EXPECT_FALSE(ParsePolicy({{"calls_per_minute", 0}}).ok());
  EXPECT_TRUE(ParsePolicy({{"calls_per_minute", 1}}).ok());
  EXPECT_FALSE(ParsePolicy({{"release_level", "L4"}}).ok());
  EXPECT_FALSE(ParsePolicy({{"protected_environments", "production"}}).ok());
  EXPECT_FALSE(ParsePolicy(json::array()).ok());
}

TEST(RateLimiter, WindowPerIdentityAndBoundary) {
  FakeClock clock;
  RateLimiter r(2, &clock);
  int64_t retry = 0;
  EXPECT_TRUE(r.Take("a", &retry));
  clock.Advance(std::chrono::seconds(10));
  EXPECT_TRUE(r.Take("a", &retry));
  EXPECT_FALSE(r.Take("a", &retry));  // the third in a minute
  EXPECT_EQ(retry, 50'000);           // when the first leaves the window
  EXPECT_TRUE(r.Take("b", &retry));   // per identity
  clock.Advance(std::chrono::milliseconds(49'999));
  EXPECT_FALSE(r.Take("a", &retry));  // 1 ms before the boundary
  EXPECT_EQ(retry, 1);
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(r.Take("a", &retry));   // at the boundary the first call has left
}

TEST(Gateway, RateLimitIsADenialSayingWhen) {
  Fixture f;
  Policy p;
  p.calls_per_minute = 1;
  Gateway g = f.Make(p);
  Tool read = MakeTool("run_status", Access::kRead);
  EXPECT_TRUE(g.Check("a", read, json::object()).allowed);
  f.clock.Advance(std::chrono::seconds(15));
  Decision d = g.Check("a", read, json::object());
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("rate limit of 1 calls a minute"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("retry in 45.0 s"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace gauntlet::mcp
