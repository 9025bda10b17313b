#include "server/push.h"

#include <gtest/gtest.h>

namespace gauntlet::server {
namespace {

const std::string kA(40, 'a'), kB(40, 'b'), kZero(40, '0');

nlohmann::json Payload(const std::string& ref) {
  return {{"ref", ref},
          {"before", kA},
          {"after", kB},
          {"repository", {{"name", "app"}, {"full_name", "acme/app"}}},
          {"pusher", {{"name", "octocat"}}},
          {"deleted", false}};
}

TEST(ServerPush, ParsesGithubsPushPayload) {
  auto p = ParseGithubPush(Payload("refs/heads/main"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->repository, "app");
  EXPECT_EQ(p->branch(), "main");
  EXPECT_EQ(p->tag(), "");
  EXPECT_EQ(p->after, kB);
  EXPECT_EQ(p->pusher, "octocat");
  EXPECT_EQ(ParseGithubPush(Payload("refs/tags/v1"))->tag(), "v1");
}

TEST(ServerPush, RefusesWhatIsNotAPush) {
  for (auto broken : {Payload("main"), Payload("refs/notes/x")})
    EXPECT_FALSE(ParseGithubPush(broken).ok());
  nlohmann::json p = Payload("refs/heads/main");
  p["after"] = "abc";
  EXPECT_FALSE(ParseGithubPush(p).ok()) << "a short id";
  p = Payload("refs/heads/main");
  p["after"] = std::string(39, 'a') + "g";
  EXPECT_FALSE(ParseGithubPush(p).ok()) << "not hex";
  p = Payload("refs/heads/main");
  p.erase("repository");
  EXPECT_FALSE(ParseGithubPush(p).ok());
  p = Payload("refs/heads/main");
  p["ref"] = 7;
  EXPECT_FALSE(ParseGithubPush(p).ok());
  EXPECT_FALSE(ParseGithubPush(nlohmann::json::array()).ok());
}

TEST(ServerPush, BranchFiltersAreGlobs) {
  spec::Triggers on;
  on.events = {"push"};
  on.branches = {"main", "release/*"};
  std::string why;
  auto runs = [&](const std::string& ref) {
    return PushRuns(on, *ParseGithubPush(Payload(ref)), {}, false, &why);
  };
  EXPECT_TRUE(runs("refs/heads/main"));
  EXPECT_TRUE(runs("refs/heads/release/1.2"));
  EXPECT_FALSE(runs("refs/heads/release/1.2/hotfix")) << "* does not cross /";
  EXPECT_FALSE(runs("refs/heads/mainline"));
  EXPECT_NE(why.find("matches none"), std::string::npos) << why;
  EXPECT_FALSE(runs("refs/tags/v1")) << "branches listed: tags do not run";
  on.branches.clear();
  EXPECT_TRUE(runs("refs/heads/anything/at/all"));
  EXPECT_TRUE(runs("refs/tags/v1"));
  on.events = {"pull_request"};
  EXPECT_FALSE(runs("refs/heads/main"));
  EXPECT_NE(why.find("does not list push"), std::string::npos);
}

TEST(ServerPush, PathFiltersNeedAMatchingChangedFile) {
  spec::Triggers on;
  on.events = {"push"};
  on.paths = {"src/**"};
  PushEvent push = *ParseGithubPush(Payload("refs/heads/main"));
  std::string why;
  EXPECT_TRUE(PushRuns(on, push, {"README.md", "src/a.cc"}, true, &why));
  EXPECT_FALSE(PushRuns(on, push, {"README.md"}, true, &why));
  EXPECT_EQ(why, "no changed file matches on.push.paths");
  EXPECT_TRUE(PushRuns(on, push, {}, false, &why)) << "unknown changes (a new branch): runs";
  push.deleted = true;
  EXPECT_FALSE(PushRuns(on, push, {"src/a.cc"}, true, &why));
}

}  // namespace
}  // namespace gauntlet::server
