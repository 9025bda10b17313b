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

// GitHub's rules for a workflow's filters: tags and branches each keep the other kind of ref
// out only when the other kind has no filter; -ignore excludes; `!` applies in order; paths
// are not looked at for a tag.
TEST(ServerPush, GithubRefFiltersDecideBranchesAndTagsApart) {
  spec::Triggers on;
  on.events = {"push"};
  on.github_patterns = true;
  on.tags = {"v[12].[0-9]+.[0-9]+"};
  on.paths = {"src/**"};
  std::string why;
  auto runs = [&](const std::string& ref, std::vector<std::string> changed = {"README.md"}) {
    return PushRuns(on, *ParseGithubPush(Payload(ref)), changed, true, &why);
  };
  EXPECT_TRUE(runs("refs/tags/v1.10.1")) << why;
  EXPECT_FALSE(runs("refs/tags/v3.0.0"));
  EXPECT_EQ(why, "tag v3.0.0 matches none of on.push.tags");
  EXPECT_FALSE(runs("refs/heads/main", {"src/a.cc"}));
  EXPECT_EQ(why, "a branch push, and on.push filters only tags");
  on.tags.clear();
  on.tags_ignore = {"*-rc*"};
  EXPECT_FALSE(runs("refs/tags/v2-rc1"));
  EXPECT_EQ(why, "tag v2-rc1 matches on.push.tags-ignore");
  EXPECT_TRUE(runs("refs/tags/v2"));
  on.tags_ignore.clear();
  on.branches = {"releases/**", "!releases/**-alpha"};
  EXPECT_TRUE(runs("refs/heads/releases/10", {"src/a.cc"})) << why;
  EXPECT_FALSE(runs("refs/heads/releases/10-alpha", {"src/a.cc"}));
  EXPECT_FALSE(runs("refs/heads/releases/10", {"README.md"}));
  EXPECT_EQ(why, "no changed file matches on.push.paths");
  EXPECT_FALSE(runs("refs/tags/v1.0.0"));
  EXPECT_EQ(why, "a tag push, and on.push filters only branches");
  on.branches.clear();
  on.branches_ignore = {"wip/**"};
  EXPECT_FALSE(runs("refs/heads/wip/x", {"src/a.cc"}));
  EXPECT_EQ(why, "branch wip/x matches on.push.branches-ignore");
  EXPECT_TRUE(runs("refs/heads/main", {"src/a.cc"}));
  on.tags = {"v*"};  // both kinds filtered: each ref by its own filter, tags without paths
  EXPECT_TRUE(runs("refs/tags/v1", {"README.md"})) << why;
  EXPECT_TRUE(runs("refs/heads/main", {"src/a.cc"})) << why;
}

// paths-ignore turns a push away only when every changed file matches it; `!` takes a
// file back.
TEST(ServerPush, PathsIgnoreNeedsEveryFileAndHonoursNegation) {
  spec::Triggers on;
  on.events = {"push"};
  on.github_patterns = true;
  on.paths_ignore = {"docs/**", "!docs/api/**"};
  PushEvent push = *ParseGithubPush(Payload("refs/heads/main"));
  std::string why;
  EXPECT_FALSE(PushRuns(on, push, {"docs/a.md", "docs/b/c.md"}, true, &why));
  EXPECT_EQ(why, "every changed file matches on.push.paths-ignore");
  EXPECT_TRUE(PushRuns(on, push, {"docs/a.md", "src/a.cc"}, true, &why));
  EXPECT_TRUE(PushRuns(on, push, {"docs/a.md", "docs/api/x.md"}, true, &why));
}

}  // namespace
}  // namespace gauntlet::server
