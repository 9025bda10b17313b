#include "server/pull_request.h"

#include <gtest/gtest.h>

namespace gauntlet::server {
namespace {

using nlohmann::json;

json PullRequestPayload(const std::string& action = "opened") {
  return {{"action", action},
          {"number", 7},
          {"pull_request",
           {{"title", "Speed up $(rm -rf ~) the parser"},
            {"user", {{"login", "agent-7"}}},
            {"head", {{"ref", "agent/parser"}, {"sha", std::string(40, 'a')}}},
            {"base", {{"ref", "main"}, {"sha", std::string(40, 'b')}}}}},
          {"repository", {{"name", "app"}}}};
}

TEST(GithubPullRequest, ParsesWhatARunNeeds) {
  auto e = ParseGithubPullRequest(PullRequestPayload());
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->repository, "app");
  EXPECT_EQ(e->action, "opened");
  EXPECT_EQ(e->number, 7);
  EXPECT_EQ(e->head_sha, std::string(40, 'a'));
  EXPECT_EQ(e->head_ref, "agent/parser");
  EXPECT_EQ(e->base_ref, "main");
  EXPECT_EQ(e->author, "agent-7");
  EXPECT_EQ(e->title, "Speed up $(rm -rf ~) the parser");
}

TEST(GithubPullRequest, RefusesWhatItCannotRun) {
  json p = PullRequestPayload();
  p["pull_request"]["head"]["sha"] = "abc";
  EXPECT_FALSE(ParseGithubPullRequest(p).ok()) << "a short id";
  p = PullRequestPayload();
  p["pull_request"]["base"].erase("ref");
  EXPECT_FALSE(ParseGithubPullRequest(p).ok());
  p = PullRequestPayload();
  p["number"] = 0;
  EXPECT_FALSE(ParseGithubPullRequest(p).ok());
  p = PullRequestPayload();
  p["repository"] = "app";
  EXPECT_FALSE(ParseGithubPullRequest(p).ok());
  EXPECT_FALSE(ParseGithubPullRequest(json::array()).ok());
}

TEST(GithubPullRequest, OnlyNewCommitsRun) {
  for (const char* a : {"opened", "synchronize", "reopened"}) EXPECT_TRUE(RunsForAction(a)) << a;
  for (const char* a : {"closed", "edited", "labeled", "assigned", ""})
    EXPECT_FALSE(RunsForAction(a)) << a;
}

// Branch filters match the base branch, as GitHub's `on.pull_request.branches` do.
TEST(GithubPullRequest, BranchesFilterTheBaseBranch) {
  auto e = ParseGithubPullRequest(PullRequestPayload());
  ASSERT_TRUE(e.ok());
  spec::Triggers on;
  std::string why;
  EXPECT_FALSE(PullRequestRuns(on, *e, &why));
  EXPECT_EQ(why, "the pipeline's on: has no pull_request");
  on.events = {"push", "pull_request"};
  EXPECT_TRUE(PullRequestRuns(on, *e, &why)) << "no branches: every base";
  on.pull_request_branches = {"release/*", "main"};
  EXPECT_TRUE(PullRequestRuns(on, *e, &why));
  on.pull_request_branches = {"agent/*"};  // the head's branch, not the base
  EXPECT_FALSE(PullRequestRuns(on, *e, &why));
  EXPECT_EQ(why, "base branch 'main' is not in on.pull_request.branches");
}

// `types` chooses the activities that run (default: opened, synchronize, reopened);
// branches-ignore turns a base away; a workflow's patterns are GitHub's.
TEST(GithubPullRequest, TypesAndBranchesIgnoreDecide) {
  spec::Triggers on;
  on.events = {"pull_request"};
  on.github_patterns = true;
  std::string why;
  auto runs = [&](const std::string& action) {
    return PullRequestRuns(on, *ParseGithubPullRequest(PullRequestPayload(action)), &why);
  };
  EXPECT_FALSE(runs("closed"));
  EXPECT_EQ(why,
            "action 'closed' is not in on.pull_request.types (by default opened, synchronize, "
            "reopened)");
  on.pull_request_types = {"closed", "labeled"};
  EXPECT_TRUE(runs("closed")) << why;
  EXPECT_FALSE(runs("opened"));
  EXPECT_EQ(why, "action 'opened' is not in on.pull_request.types");
  on.pull_request_types.clear();
  on.pull_request_branches_ignore = {"ma*"};
  EXPECT_FALSE(runs("opened"));
  EXPECT_EQ(why, "base branch 'main' is in on.pull_request.branches-ignore");
  on.pull_request_branches_ignore = {"main/*"};
  EXPECT_TRUE(runs("opened")) << why;
}

}  // namespace
}  // namespace gauntlet::server
