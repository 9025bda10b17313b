// Unit tests of the server's trigger rules (server/pipelines.h) and rate limits
// (server/rate_limit.h): pure logic, and one real repository for the paths filters.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/metrics.h"
#include "server/pipelines.h"
#include "server/rate_limit.h"
#include "server/server.h"
#include "spec/load.h"
#include "vcs/test_repo.h"

namespace gauntlet::server {
namespace {

spec::LoadResult LoadOn(const std::string& on) {
  return spec::LoadString("name: p\non:\n" + on + "jobs:\n  a:\n    run: echo\n", "gauntlet.yml");
}

std::string FirstLoadError(const spec::LoadResult& r) {
  for (const spec::Problem& p : r.problems.all())
    if (p.severity == spec::Severity::kError)
      return std::to_string(p.loc.line) + ":" + std::to_string(p.loc.col) + ": " + p.message;
  return "";
}

QueueItem QueuedItem(const std::string& event, const nlohmann::json& payload) {
  QueueItem item;
  item.id = 7;
  item.repo = "app";
  item.event = event;
  item.ref = "refs/heads/main";
  item.commit = std::string(40, 'a');
  item.payload = payload.dump();
  return item;
}

TEST(ServerPipelines, OnRunTakesTheNamedPipelinesInTheListedStatusesOnly) {
  auto r = LoadOn("  run: {pipelines: [build, CI], status: [success]}\n");
  ASSERT_EQ(FirstLoadError(r), "");
  const spec::Triggers& on = r.pipeline.triggers;
  EXPECT_TRUE(ChainTakes(on, {1, "build", "gauntlet.yml", "success"}));
  EXPECT_TRUE(ChainTakes(on, {1, "CI", "x.yml", "success"}));
  EXPECT_FALSE(ChainTakes(on, {1, "build", "gauntlet.yml", "failed"}));
  EXPECT_FALSE(ChainTakes(on, {1, "other", "gauntlet.yml", "success"}));
  // No status listed: any end.
  auto any = LoadOn("  run: {pipelines: build}\n");
  ASSERT_EQ(FirstLoadError(any), "");
  EXPECT_TRUE(ChainTakes(any.pipeline.triggers, {1, "build", "", "failed"}));
  // Only a pipeline with on.run is chained.
  auto push = LoadOn("  push: {}\n");
  EXPECT_FALSE(ChainTakes(push.pipeline.triggers, {1, "build", "", "success"}));
}

TEST(ServerPipelines, AChainedItemCarriesTheEndedRunAndCountsItsDepth) {
  QueueItem push = QueuedItem("push", {{"ref", "refs/heads/main"}});
  EXPECT_EQ(ChainDepth(push), 0);
  QueueItem first =
      ChainedItem(push, {11, "CI", ".github/workflows/ci.yml", "failed"}, "gauntlet.yml");
  EXPECT_EQ(first.event, "run");
  EXPECT_EQ(first.pipeline, "gauntlet.yml");
  EXPECT_EQ(first.commit, push.commit);
  EXPECT_EQ(first.ref, push.ref);
  EXPECT_EQ(ChainDepth(first), 1);
  auto p = nlohmann::json::parse(first.payload);
  EXPECT_EQ(p["run"]["id"], 11);
  EXPECT_EQ(p["run"]["status"], "failed");
  EXPECT_EQ(p["workflow_run"]["conclusion"], "failure");
  EXPECT_EQ(p["workflow_run"]["head_branch"], "main");
  QueueItem second = ChainedItem(first, {12, "p", "gauntlet.yml", "success"}, "x.yml");
  EXPECT_EQ(ChainDepth(second), 2);
  // The run item's filter: the ended run's pipeline and status, from the payload.
  auto r = LoadOn("  run: {pipelines: [CI], status: [success]}\n");
  EXPECT_EQ(SkipReason(r.pipeline.triggers, first, "/nonexistent"),
            "on.run does not take a failed run of CI");
  auto any = LoadOn("  run: {pipelines: [CI]}\n");
  EXPECT_EQ(SkipReason(any.pipeline.triggers, first, "/nonexistent"), "");
}

TEST(ServerPipelines, AGenericWebhookRunsPipelinesOfItsNameOrOfAnyName) {
  QueueItem hook = QueuedItem("webhook", {{"webhook", "deploy"}, {"body", {{"x", 1}}}});
  auto named = LoadOn("  webhook: {name: [deploy, nightly]}\n");
  ASSERT_EQ(FirstLoadError(named), "");
  EXPECT_EQ(SkipReason(named.pipeline.triggers, hook, "/nonexistent"), "");
  auto other = LoadOn("  webhook: {name: nightly}\n");
  EXPECT_EQ(SkipReason(other.pipeline.triggers, hook, "/nonexistent"),
            "webhook 'deploy' is not in on.webhook.name");
  auto any = LoadOn("  webhook:\n");
  EXPECT_EQ(SkipReason(any.pipeline.triggers, hook, "/nonexistent"), "");
  auto push = LoadOn("  push:\n");
  EXPECT_EQ(SkipReason(push.pipeline.triggers, hook, "/nonexistent"),
            "the pipeline's on: has no webhook");
}

TEST(ServerPipelines, NewTriggerKeysAreCheckedWithTheirPlace) {
  EXPECT_EQ(FirstLoadError(LoadOn("  push: {paths: [a], paths-ignore: [b]}\n")),
            "3:9: on.push has both paths and paths-ignore");
  EXPECT_EQ(FirstLoadError(LoadOn("  pull_request: {paths: [a], paths-ignore: [b]}\n")),
            "3:17: on.pull_request has both paths and paths-ignore");
  EXPECT_EQ(FirstLoadError(LoadOn("  run: {status: [success]}\n")),
            "3:3: on.run needs the pipelines whose runs start this one");
  EXPECT_NE(FirstLoadError(LoadOn("  run: {pipelines: [a], status: [done]}\n")), "");
  EXPECT_NE(FirstLoadError(LoadOn("  webhook: {name: \"a b\"}\n")).find("webhook name 'a b'"),
            std::string::npos);
  EXPECT_NE(FirstLoadError(LoadOn("  webhook: {names: [a]}\n")), "");
  // GitHub's spelling of chaining.
  auto wf = spec::LoadString(
      "on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\njobs:\n  a:\n"
      "    runs-on: x\n    steps:\n      - run: echo\n",
      ".github/workflows/after.yml");
  ASSERT_EQ(FirstLoadError(wf), "");
  EXPECT_EQ(wf.pipeline.triggers.run_pipelines, std::vector<std::string>{"CI"});
  EXPECT_TRUE(wf.pipeline.triggers.run_statuses.empty());
  auto pr = LoadOn("  pull_request: {paths-ignore: [\"docs/**\"]}\n");
  ASSERT_EQ(FirstLoadError(pr), "");
  EXPECT_EQ(pr.pipeline.triggers.pull_request_paths_ignore, std::vector<std::string>{"docs/**"});
}

// A pull request's paths filters look at base...head in a real repository, the workspace
// checked out at the head.
TEST(ServerPipelines, PullRequestPathsLookAtWhatThePullRequestChanges) {
  vcs::TestRepo repo;
  repo.Write("src/a.c", "1\n");
  const std::string base = repo.Commit("base");
  repo.Write("docs/guide.md", "words\n");
  const std::string docs_only = repo.Commit("docs");
  auto pr = [&](const std::string& head) {
    return QueuedItem("pull_request", {{"action", "opened"},
                                       {"number", 3},
                                       {"repository", {{"name", "app"}}},
                                       {"pull_request",
                                        {{"head", {{"sha", head}, {"ref", "topic"}}},
                                         {"base", {{"sha", base}, {"ref", "main"}}}}}});
  };
  auto ignore_docs = LoadOn("  pull_request: {paths-ignore: [\"docs/**\"]}\n");
  auto only_src = LoadOn("  pull_request: {paths: [\"src/**\"]}\n");
  EXPECT_EQ(SkipReason(ignore_docs.pipeline.triggers, pr(docs_only), repo.dir()),
            "every changed file matches on.pull_request.paths-ignore");
  EXPECT_EQ(SkipReason(only_src.pipeline.triggers, pr(docs_only), repo.dir()),
            "no changed file matches on.pull_request.paths");
  repo.Write("src/a.c", "2\n");
  const std::string both = repo.Commit("src and docs");
  EXPECT_EQ(SkipReason(ignore_docs.pipeline.triggers, pr(both), repo.dir()), "");
  EXPECT_EQ(SkipReason(only_src.pipeline.triggers, pr(both), repo.dir()), "");
  // Without filters nothing is diffed; a push's paths-ignore follows the same rule.
  EXPECT_EQ(
      SkipReason(LoadOn("  pull_request:\n").pipeline.triggers, pr(docs_only), "/nonexistent"), "");
  QueueItem push = QueuedItem("push", {{"ref", "refs/heads/main"},
                                       {"before", base},
                                       {"after", docs_only},
                                       {"repository", {{"name", "app"}}}});
  EXPECT_EQ(SkipReason(LoadOn("  push: {paths-ignore: [\"docs/**\"]}\n").pipeline.triggers, push,
                       repo.dir()),
            "every changed file matches on.push.paths-ignore");
}

using std::chrono::milliseconds;

TEST(RateLimiter, AKeyGetsItsBurstThenWaitsForTheBucketToRefill) {
  RateLimiter limit(3);  // 3 a minute: one every 20 s
  const auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  EXPECT_EQ(limit.Take("a", t0), 0);
  EXPECT_EQ(limit.Take("a", t0), 0);
  EXPECT_EQ(limit.Take("a", t0), 0);
  EXPECT_EQ(limit.Take("a", t0), 20);  // the 4th: one token is 20 s away
  EXPECT_EQ(limit.Take("b", t0), 0) << "another key has its own bucket";
  EXPECT_EQ(limit.Take("a", t0 + milliseconds(19900)), 1);  // just before: not yet
  EXPECT_EQ(limit.Take("a", t0 + milliseconds(20000)), 0);  // at the boundary: one
  EXPECT_EQ(limit.Take("a", t0 + milliseconds(20000)), 20);
  // A long pause refills to the burst, never beyond it.
  const auto later = t0 + std::chrono::hours(2);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limit.Take("a", later), 0) << i;
  EXPECT_EQ(limit.Take("a", later), 20) << "the burst is 3: the 4th waits a whole token";
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limit(0);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limit.Take("a", t0), 0);
}

// /metrics: deployments counted by repository, environment and outcome; only an active
// deployment has a weight, the traffic percent its new version has now.
TEST(ServerMetrics, DeploymentsAreCountedByOutcomeAndAnActiveOneShowsItsWeight) {
  server::Metrics m;
  std::vector<server::DeploymentSample> d = {
      {"app", "prod", "succeeded", "canary", 1, 100, false},
      {"app", "prod", "succeeded", "canary", 2, 100, false},
      {"app", "prod", "rolled_back", "canary", 3, 0, false},
      {"app", "prod", "running", "canary", 4, 25, true},
      {"lib", "qa\"x", "paused", "rolling", 5, -1, true}};
  const std::string text = m.Render({}, d);
  for (const char* line :
       {"gauntlet_deployments_total{repo=\"app\",environment=\"prod\",outcome=\"succeeded\"} 2\n",
        "gauntlet_deployments_total{repo=\"app\",environment=\"prod\",outcome=\"rolled_back\"} 1\n",
        "gauntlet_deployments_total{repo=\"app\",environment=\"prod\",outcome=\"running\"} 1\n",
        "gauntlet_deployment_weight{repo=\"app\",environment=\"prod\",deployment=\"4\","
        "strategy=\"canary\"} 25\n",
        "gauntlet_deployment_weight{repo=\"lib\",environment=\"qa\\\"x\",deployment=\"5\","
        "strategy=\"rolling\"} 0\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  EXPECT_EQ(text.find("deployment=\"1\""), std::string::npos) << "an ended one has no weight";
  EXPECT_NE(m.Render({}, {}).find("# TYPE gauntlet_deployment_weight gauge\n"), std::string::npos);
}


// A stop that comes after Start() but before Serve() reaches its accept loop (a SIGTERM
// right after the listening line) must still end Serve(): cpp-httplib's own stop() does
// nothing to a server not yet in that loop, and the server then served for ever.
TEST(ServerLifecycle, AStopBeforeServingEndsTheServeThatFollows) {
  vcs::TestRepo repo;
  repo.Write("gauntlet.yml", "name: app\njobs:\n  a:\n    run: \"true\"\n");
  repo.Commit("first");
  ServerConfig config;
  config.port = 0;
  config.state_dir = repo.dir() + "/.state";
  WatchedRepo app;
  app.name = "app";
  app.source = repo.dir();
  config.repos.push_back(app);
  Server server(config);
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  std::promise<void> served;
  std::thread serve([&] {
    server.Serve();
    served.set_value();
  });
  if (served.get_future().wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "Serve() did not return after Stop()";
    std::_Exit(1);  // the serving thread cannot be ended or joined
  }
  serve.join();
}

}  // namespace
}  // namespace gauntlet::server
