// Loading environments: Argo-style canary steps, the analysis's probe and pre-traffic
// duration, bake and drain, the flat router keys, and keys a strategy does not use.
#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

LoadResult LoadYaml(const std::string& text) { return LoadString(text, "gauntlet.yml"); }

std::vector<std::string> ProblemsOf(const LoadResult& r) {
  std::vector<std::string> out;
  for (const Problem& p : r.problems.all()) out.push_back(p.message);
  return out;
}

const Environment& Env(const LoadResult& r) { return r.pipeline.environments.at(0); }

TEST(LoadDeployTest, StepsMixWeightsPausesAndAnalysesAsInArgo) {
  LoadResult r = LoadYaml(R"Y(
environments:
  prod:
    strategy: canary
    pause: 20s
    analysis: {interval: 2s, max_error_ratio: 3, prometheus_url: http://p:9090}
    steps:
      - 10
      - setWeight: 20
      - pause: 1m
      - weight: 40
      - pause: {}
      - pause: {duration: 5s}
      - analysis: {duration: 2m, max_error_ratio: 1.5}
      - setWeight: 100
jobs: {a: {run: x}}
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const auto& steps = Env(r).steps;
  ASSERT_EQ(steps.size(), 8u);
  EXPECT_EQ(steps[0].weight, 10);
  EXPECT_TRUE(steps[0].environment_pause) << "a bare number is watched for `pause`";
  EXPECT_EQ(steps[1].weight, 20);
  EXPECT_FALSE(steps[1].environment_pause) << "setWeight alone does not wait";
  EXPECT_EQ(steps[2].weight, -1);
  EXPECT_EQ(steps[2].pause, minutes(1));
  EXPECT_EQ(steps[3].weight, 40);
  EXPECT_TRUE(steps[4].pause_until_promoted);
  EXPECT_FALSE(steps[5].pause_until_promoted);
  EXPECT_EQ(steps[5].pause, seconds(5));
  ASSERT_TRUE(steps[6].analysis.has_value());
  EXPECT_EQ(steps[6].analysis_duration, minutes(2));
  EXPECT_EQ(steps[6].analysis->max_error_ratio, 1.5) << "the step's own value";
  EXPECT_EQ(steps[6].analysis->interval, seconds(2)) << "the rest from the environment";
  EXPECT_EQ(steps[6].analysis->prometheus_url, "http://p:9090");
  EXPECT_EQ(steps[7].weight, 100);
  EXPECT_EQ(DescribeSteps(Env(r)),
            "10% watched 20s, 20%, pause 1m, 40%, pause until promoted, pause 5s, analysis 2m, "
            "100%");
}

TEST(LoadDeployTest, StepMistakesAreLocated) {
  auto problems = [](const std::string& steps) {
    return ProblemsOf(LoadYaml("environments:\n  p:\n    strategy: canary\n    steps: " + steps +
                               "\njobs: {a: {run: x}}"));
  };
  EXPECT_EQ(problems("[50, 20, 100]"), std::vector<std::string>{"canary weights must go up"});
  EXPECT_EQ(problems("[20, 100, {pause: 1m}]"),
            std::vector<std::string>{"a step after weight 100 (the promotion)"});
  EXPECT_EQ(problems("[{wait: 1m}]"),
            std::vector<std::string>{"unknown key 'wait' in a canary step"});
  EXPECT_EQ(problems("[{setWeight: 20, pause: 1m}]"),
            std::vector<std::string>{"expected a weight or a map with one key, got a map"});
  EXPECT_EQ(problems("[{pause: {seconds: 3}}]"),
            std::vector<std::string>{"unknown key 'seconds' in a pause"});
  EXPECT_EQ(problems("[0, 100]"), std::vector<std::string>{"value 0 is out of range"});
  EXPECT_TRUE(problems("[5, 50]").empty()) << "no 100 at the end: promoted after the last step";
}

TEST(LoadDeployTest, ProbePreTrafficBakeAndDrain) {
  LoadResult r = LoadYaml(R"Y(
environments:
  prod:
    strategy: blue_green
    bake: 2m
    drain: 3s
    drain_timeout: 1m
    analysis:
      pre_traffic: 45s
      interval: 4s
      probe: {path: /ping, requests: 400}
jobs: {a: {run: x}}
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Environment& e = Env(r);
  EXPECT_EQ(e.bake, minutes(2));
  EXPECT_EQ(e.drain, seconds(3));
  EXPECT_EQ(e.drain_timeout, minutes(1));
  EXPECT_EQ(e.analysis.pre_traffic, seconds(45));
  EXPECT_EQ(e.analysis.probe.path, "/ping");
  EXPECT_EQ(e.analysis.probe.requests, 400);
  Environment defaults;
  EXPECT_EQ(defaults.drain, seconds(1));
  EXPECT_EQ(defaults.bake, seconds(0));
  EXPECT_EQ(defaults.analysis.pre_traffic, seconds(30));
  EXPECT_EQ(defaults.analysis.probe.rate, 50);

  EXPECT_EQ(
      ProblemsOf(LoadYaml("environments: {p: {analysis: {probe: {path: ping, rate: 10, "
                          "requests: 100}}}}\njobs: {a: {run: x}}")),
      (std::vector<std::string>{"the probe's path must start with /",
                                "set the probe's rate or its requests per window, not both"}));
}

// rate x interval under 100 requests: every p99 would be inconclusive. Said when the
// file is read, on both sides of the boundary.
TEST(LoadDeployTest, AProbeTooThinForAP99IsAWarning) {
  auto warnings = [](const std::string& analysis) {
    LoadResult r = LoadYaml("environments: {p: {analysis: " + analysis + "}}\njobs: {a: {run: x}}");
    EXPECT_TRUE(r.ok()) << r.problems.Format(r.source);
    return r.problems.all().size();
  };
  EXPECT_EQ(warnings("{interval: 1s, probe: {rate: 99}}"), 1u);
  EXPECT_EQ(warnings("{interval: 1s, probe: {rate: 100}}"), 0u);
  EXPECT_EQ(warnings("{interval: 500ms, probe: {requests: 99}}"), 1u);
  EXPECT_EQ(warnings("{interval: 500ms, probe: {requests: 100}}"), 0u);
  EXPECT_EQ(warnings("{interval: 5s}"), 0u) << "the defaults: 250 per window";
}

TEST(LoadDeployTest, KeysAStrategyDoesNotUseAreErrors) {
  LoadResult r = LoadYaml(R"Y(
environments:
  rolling:
    strategy: rolling
    steps: [5, 100]
    scale_down_delay: 1m
    bake: 1m
    analysis: {pre_traffic: 10s}
  green:
    strategy: blue_green
    pause: 10s
    max_unavailable: 2
  again:
    strategy: recreate
    analysis: {interval: 2s}
    drain: 1s
jobs: {a: {run: x}}
)Y");
  EXPECT_EQ(ProblemsOf(r), (std::vector<std::string>{
                               "steps is not used by the rolling strategy",
                               "scale_down_delay is not used by the rolling strategy",
                               "bake is not used by the rolling strategy",
                               "analysis.pre_traffic is not used by the rolling strategy",
                               "pause is not used by the blue_green strategy",
                               "max_unavailable is not used by the blue_green strategy",
                               "analysis is not used by the recreate strategy",
                               "drain is not used by the recreate strategy",
                           }));
  ASSERT_FALSE(r.problems.all().empty());
  EXPECT_EQ(r.problems.all()[0].loc.line, 5);
  EXPECT_EQ(r.problems.all()[0].hint, "used only by canary: remove it, or set strategy: canary");
  // What each strategy does use is accepted.
  EXPECT_TRUE(LoadYaml(R"Y(
environments:
  c: {strategy: canary, steps: [5, 100], pause: 1s, scale_down_delay: 1s, bake: 1s,
      analysis: {pre_traffic: 1s}, drain: 1s, drain_timeout: 2s}
  b: {strategy: blue_green, scale_down_delay: 1s, bake: 1s, analysis: {pre_traffic: 1s}}
  r: {strategy: rolling, max_unavailable: 2, pause: 1s, analysis: {interval: 2s}, drain: 1s}
jobs: {a: {run: x}}
)Y")
                  .ok());
}

TEST(LoadDeployTest, AStageOverridingTheStrategyIsCheckedAgainstTheEnvironment) {
  LoadResult r = LoadYaml(R"Y(
environments:
  prod: {strategy: canary, steps: [5, 100]}
stages:
  - {name: ship, environment: prod, strategy: blue_green}
  - {name: again, environment: prod, strategy: canary}
)Y");
  EXPECT_EQ(ProblemsOf(r),
            std::vector<std::string>{
                "stage 'ship' deploys 'prod' with blue_green, which does not use its "
                "steps (line 3)"});
}

TEST(LoadDeployTest, TheFlatRouterKeysOfTheDocsAreAccepted) {
  LoadResult r = LoadYaml(R"Y(
environments:
  a:
    router: nginx
    nginx_upstream_file: /etc/nginx/gauntlet/up.conf
    nginx_upstream_name: myapp
  b:
    router: command
    router_command: ./switch.sh
  c:
    router: {type: nginx, upstream_file: /x.conf, upstream_name: app, pid_file: /run/n.pid}
jobs: {a: {run: x}}
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const auto& envs = r.pipeline.environments;
  EXPECT_EQ(envs[0].router, "nginx");
  EXPECT_EQ(envs[0].nginx_upstream_file, "/etc/nginx/gauntlet/up.conf");
  EXPECT_EQ(envs[0].nginx_upstream_name, "myapp");
  EXPECT_EQ(envs[1].router_command, "./switch.sh");
  EXPECT_EQ(envs[2].nginx_pid_file, "/run/n.pid");
  EXPECT_EQ(
      ProblemsOf(LoadYaml("environments:\n  a:\n    router: {type: nginx, upstream_file: /x, "
                          "upstream_name: a}\n    nginx_upstream_name: b\njobs: {a: {run: x}}")),
      std::vector<std::string>{"the router is set twice: nested under router: and flat beside it"});
  EXPECT_EQ(
      ProblemsOf(LoadYaml("environments:\n  a:\n    router_command: ./x.sh\njobs: {a: {run: x}}")),
      std::vector<std::string>{"router settings without router:"});
  EXPECT_EQ(ProblemsOf(LoadYaml("environments:\n  a:\n    router: nginx\njobs: {a: {run: x}}")),
            std::vector<std::string>{"the nginx router needs upstream_file and upstream_name"});
}

}  // namespace
}  // namespace gauntlet::spec
