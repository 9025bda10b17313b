#include "spec/load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gauntlet::spec {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

LoadResult Load(const std::string& text) { return LoadString(text, "gauntlet.yml"); }

std::vector<std::string> Messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const Problem& p : r.problems.all()) out.push_back(p.message);
  return out;
}

std::vector<std::string> Names(const std::vector<Located>& v) {
  std::vector<std::string> out;
  for (const auto& l : v) out.push_back(l.value);
  return out;
}

TEST(LoadTest, SeedFileLoadsIntoStages) {
  LoadResult r = LoadFile(std::string(GAUNTLET_SOURCE_DIR) + "/tests/spec_good/seed.yml");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Pipeline& p = r.pipeline;
  EXPECT_EQ(p.name, "main-build");
  ASSERT_EQ(p.stages.size(), 3u);
  EXPECT_EQ(p.stages[0].name, "build");
  EXPECT_FALSE(p.stages[0].depends_on.has_value());
  EXPECT_EQ(p.stages[0].jobs, (std::vector<std::string>{"build-python", "build-web"}));
  ASSERT_TRUE(p.stages[1].depends_on.has_value());
  EXPECT_EQ(Names(*p.stages[1].depends_on), std::vector<std::string>{"build"});
  const Stage& deploy = p.stages[2];
  EXPECT_TRUE(deploy.is_deploy());
  EXPECT_TRUE(deploy.jobs.empty());
  EXPECT_EQ(deploy.environment, "staging");
  EXPECT_EQ(deploy.strategy, "rolling");
  EXPECT_TRUE(deploy.rollback_on_failure);

  const Job* unit = p.FindJob("unit");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->stage, "test");
  EXPECT_EQ(unit->retry.attempts, 2);
  EXPECT_EQ(unit->retry.backoff, seconds(2));
  EXPECT_EQ(unit->timeout, minutes(5));
  ASSERT_EQ(unit->matrix.axes.size(), 1u);
  EXPECT_EQ(unit->matrix.axes[0].second[1].text, "3.12");
  EXPECT_EQ(unit->reports.junit, "report.xml");
  EXPECT_EQ(unit->diagnostics, std::vector<std::string>{"pytest"});
  EXPECT_EQ(p.FindJob("lint")->retry.attempts, 2);
  EXPECT_EQ(p.FindJob("build-python")->language, Language::kPython);
  EXPECT_EQ(p.FindJob("build-web")->commands.size(), 2u);
  EXPECT_EQ(p.defaults.timeout, minutes(10));
  EXPECT_EQ(p.changes.ignore.size(), 2u);
  EXPECT_EQ(p.triggers.events, (std::vector<std::string>{"push", "pull_request"}));
  ASSERT_NE(p.FindEnvironment("staging"), nullptr);
  EXPECT_EQ(p.FindEnvironment("staging")->instances.size(), 2u);
}

TEST(LoadTest, ActionsFileLoadsIntoJobsMap) {
  LoadResult r = LoadFile(std::string(GAUNTLET_SOURCE_DIR) + "/tests/spec_good/actions.yml");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Pipeline& p = r.pipeline;
  EXPECT_TRUE(p.stages.empty());
  ASSERT_EQ(p.jobs.size(), 4u);
  EXPECT_EQ(p.jobs[0].name, "build");
  EXPECT_EQ(p.jobs[0].stage, "");
  EXPECT_EQ(p.jobs[0].commands, std::vector<std::string>{"make all"});
  EXPECT_EQ(Names(p.jobs[1].needs), std::vector<std::string>{"build"});
  EXPECT_EQ(p.jobs[1].if_expr, "success() && branch == 'main'");
  EXPECT_EQ(p.jobs[1].commands.size(), 1u);  // a run block stays one script
  EXPECT_EQ(Names(p.jobs[2].needs), (std::vector<std::string>{"build", "test"}));
  EXPECT_EQ(p.jobs[2].if_expr, "event.name == 'push'");
  EXPECT_EQ(p.jobs[2].outputs, std::vector<std::string>{"sha"});
  EXPECT_EQ(p.jobs[3].secrets, std::vector<std::string>{"DEPLOY_TOKEN"});
  EXPECT_TRUE(p.jobs[3].continue_on_error);
  EXPECT_FALSE(p.jobs[3].cache);
  EXPECT_EQ(p.jobs[3].working_directory, "dist");
  EXPECT_EQ(p.jobs[3].env_locs.at(0).line, 40);
  EXPECT_EQ(p.triggers.branches, std::vector<std::string>{"main"});
  EXPECT_EQ(p.triggers.pull_request_branches, std::vector<std::string>{"main"});
  EXPECT_EQ(p.triggers.paths, std::vector<std::string>{"src/**"});
  EXPECT_EQ(p.triggers.schedules, std::vector<std::string>{"0 3 * * *"});
  EXPECT_TRUE(p.triggers.webhook);
  EXPECT_EQ(p.secrets, std::vector<std::string>{"DEPLOY_TOKEN"});
}

TEST(LoadTest, StageOrderingSpellings) {
  LoadResult r = Load(R"Y(
stages:
  - name: a
    jobs: [{name: a1, run: x}]
  - name: b
    depends_on: []
    jobs: [{name: b1, run: x}]
  - name: c
    depends_on: a
    jobs: [{name: c1, run: x}]
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  EXPECT_TRUE(r.pipeline.stages[1].depends_on.has_value());
  EXPECT_TRUE(r.pipeline.stages[1].depends_on->empty());
  EXPECT_EQ(Names(*r.pipeline.stages[2].depends_on), std::vector<std::string>{"a"});
}

TEST(LoadTest, OnForms) {
  EXPECT_EQ(Load("on: push\njobs: {a: {run: x}}").pipeline.triggers.events,
            std::vector<std::string>{"push"});
  EXPECT_EQ(Load("on: [push, pull_request]\njobs: {a: {run: x}}").pipeline.triggers.events,
            (std::vector<std::string>{"push", "pull_request"}));
  LoadResult seed = Load(
      "trigger: {branches: [main], events: [push, webhook], schedule: '*/5 * * * *'}\n"
      "jobs: {a: {run: x}}");
  ASSERT_TRUE(seed.ok()) << seed.problems.Format(seed.source);
  EXPECT_TRUE(seed.pipeline.triggers.webhook);
  EXPECT_EQ(seed.pipeline.triggers.schedules, std::vector<std::string>{"*/5 * * * *"});
  EXPECT_EQ(Messages(Load("on: [push, shedule]\njobs: {a: {run: x}}")),
            std::vector<std::string>{"unknown event 'shedule'"});
  EXPECT_EQ(Messages(Load("on: [schedule]\njobs: {a: {run: x}}")),
            std::vector<std::string>{"event 'schedule' needs a cron expression"});
  LoadResult cron = Load("on:\n  schedule:\n    - cron: \"0 3 * 13 *\"\njobs: {a: {run: x}}");
  ASSERT_EQ(cron.problems.all().size(), 1u);
  EXPECT_EQ(cron.problems.all()[0].loc.col, 20);  // the month field
}

TEST(LoadTest, RetryForms) {
  LoadResult r = Load(
      "jobs:\n  a:\n    run: x\n    retry: {attempts: 3, backoff: 1m30s, on: [1, 2, timeout]}\n");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const RetryPolicy& retry = r.pipeline.jobs[0].retry;
  EXPECT_EQ(retry.attempts, 3);
  EXPECT_EQ(retry.backoff, seconds(90));
  EXPECT_EQ(retry.on_exit_codes, (std::vector<int>{1, 2}));
  EXPECT_TRUE(retry.on_timeout);
  EXPECT_EQ(Messages(Load("jobs: {a: {run: x, retry: {on: [oops]}}}")),
            std::vector<std::string>{"expected an exit code (0-255) or \"timeout\", got a string"});
}

TEST(LoadTest, MatrixIncludeExcludeAndKinds) {
  LoadResult r = Load(R"Y(
jobs:
  unit:
    run: x
    matrix:
      py: ["3.10", 3.12]
      fast: [true]
      include: [{py: "3.13", extra: 1}]
      exclude: [{py: "3.10"}]
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Matrix& m = r.pipeline.jobs[0].matrix;
  ASSERT_EQ(m.axes.size(), 2u);
  EXPECT_EQ(m.axes[0].second[0].text, "3.10");
  EXPECT_EQ(m.axes[0].second[0].kind, MatrixValue::Kind::kString);
  EXPECT_EQ(m.axes[0].second[1].kind, MatrixValue::Kind::kNumber);
  EXPECT_EQ(m.axes[1].second[0].kind, MatrixValue::Kind::kBool);
  EXPECT_EQ(m.include.size(), 1u);
  EXPECT_EQ(m.exclude.size(), 1u);
  EXPECT_EQ(m.loc.line, 6);

  LoadResult big = Load(
      "jobs:\n  a:\n    run: x\n    matrix: {a: [1,2,3,4,5,6,7], b: [1,2,3,4,5,6,7], "
      "c: [1,2,3,4,5,6,7]}\n");
  EXPECT_EQ(Messages(big),
            std::vector<std::string>{"matrix of job 'a' expands to more than 256 jobs"});
  EXPECT_EQ(Messages(Load("jobs: {a: {run: x, matrix: {py: []}}}")),
            std::vector<std::string>{"matrix of job 'a' expands to zero jobs"});
}

TEST(LoadTest, GatesAndEnvironments) {
  LoadResult r = Load(R"Y(
gates:
  risk: {critical: ["migrations/**"], low: "docs/**"}
  coverage: {min_line: 80, new_code_line: 90.5}
  trust: {l1: {changes: 5, max_incident_rate: 0.1, min_days: 2}}
  max_fix_attempts: 2
  required: [build]
environments:
  prod:
    strategy: canary
    deploy: ./deploy.sh
    instances: [{name: a, address: "10.0.0.1:80"}]
    router: {type: nginx, upstream_file: /etc/nginx/up.conf, upstream_name: app}
    steps: [10, 50, 100]
    pause: 1m
    scale_down_delay: 10s
    health: {type: tcp, address: "10.0.0.1:80", failure_threshold: 2}
    analysis:
      interval: 10s
      max_error_ratio: 1.5
      prometheus_url: http://p:9090
      metrics:
        - {name: errors, provider: prometheus, query: "sum(rate(x[1m]))", condition: "result < 0.01"}
jobs:
  build: {run: make}
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Gates& g = r.pipeline.gates;
  EXPECT_EQ(g.risk_critical, std::vector<std::string>{"migrations/**"});
  EXPECT_EQ(g.risk_low, std::vector<std::string>{"docs/**"});
  EXPECT_EQ(g.min_line_coverage, 80.0);
  EXPECT_EQ(g.new_code_line_coverage, 90.5);
  EXPECT_EQ(g.trust_l1.changes, 5);
  EXPECT_EQ(g.trust_l1.max_incident_rate, 0.1);
  EXPECT_EQ(g.trust_l2.changes, 100);  // untouched defaults stay
  EXPECT_EQ(g.max_fix_attempts, 2);
  EXPECT_EQ(Names(g.required), std::vector<std::string>{"build"});
  const Environment* e = r.pipeline.FindEnvironment("prod");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->strategy, "canary");
  EXPECT_EQ(e->router, "nginx");
  EXPECT_EQ(e->nginx_upstream_name, "app");
  ASSERT_EQ(e->steps.size(), 3u);
  EXPECT_EQ(e->steps[1].weight, 50);
  EXPECT_TRUE(e->steps[1].environment_pause);
  EXPECT_FALSE(e->steps[2].environment_pause) << "100: the promotion, not watched";
  EXPECT_EQ(e->pause, minutes(1));
  EXPECT_EQ(e->health.type, "tcp");
  EXPECT_EQ(e->health.failure_threshold, 2);
  EXPECT_EQ(e->analysis.interval, seconds(10));
  ASSERT_EQ(e->analysis.metrics.size(), 1u);
  EXPECT_EQ(e->analysis.metrics[0].provider, "prometheus");
}

TEST(LoadTest, EnvironmentValidation) {
  LoadResult r = Load(R"Y(
environments:
  prod:
    strategy: canery
    steps: [0, 100]
    router: {type: nginx}
    health: {type: http}
    instances: [{name: a, address: nope}]
    analysis: {error_rate_floor: 2, metrics: [{name: m, provider: web}]}
jobs: {a: {run: x}}
)Y");
  EXPECT_EQ(Messages(r), (std::vector<std::string>{
                             // In the order they are found (steps and the router's
                             // completeness are checked once the whole environment is read);
                             // `validate` prints them sorted by place.
                             "unknown strategy 'canery'",
                             "an http health check needs a url",
                             "bad address 'nope'",
                             "value 2 is out of range",
                             "a web metric needs a query",
                             "a web metric needs a json_path",
                             "value 0 is out of range",
                             "the nginx router needs upstream_file and upstream_name",
                         }));
  EXPECT_EQ(r.problems.all()[0].hint,
            "did you mean 'canary'? valid values: recreate, rolling, blue_green, canary");
  EXPECT_EQ(Messages(Load("environments: {p: {steps: [5, 50]}}\njobs: {a: {run: x}}")),
            std::vector<std::string>{"steps is not used by the rolling strategy"});
}

TEST(LoadTest, EnvironmentSecretsAndRollbackOnFailure) {
  LoadResult r = Load(R"Y(
environments:
  prod: {secrets: [DEPLOY_TOKEN], rollback_on_failure: false}
  staging: {}
stages:
  - {name: ship, environment: prod}
  - {name: hold, environment: prod, rollback_on_failure: false}
)Y");
  ASSERT_TRUE(r.ok()) << r.problems.Format(r.source);
  const Environment* prod = r.pipeline.FindEnvironment("prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->secrets, std::vector<std::string>{"DEPLOY_TOKEN"});
  EXPECT_FALSE(prod->rollback_on_failure);
  EXPECT_TRUE(r.pipeline.FindEnvironment("staging")->rollback_on_failure) << "default: true";
  EXPECT_TRUE(r.pipeline.stages[0].rollback_on_failure) << "default: true";
  EXPECT_FALSE(r.pipeline.stages[1].rollback_on_failure);
  EXPECT_EQ(Messages(Load("environments: {p: {secrets: [\"a-b\"]}}\njobs: {a: {run: x}}")),
            std::vector<std::string>{"bad secret name 'a-b'"});
}

TEST(LoadTest, ReportsEveryProblemAtOnce) {
  LoadResult r = Load(R"Y(
name: [not, a, string]
jobs:
  build:
    runn: make
  test:
    needs: [biuld, lint]
    run: make test
    timeout: 10
    language: cobol
  test2:
    run: x
    commands: [y]
)Y");
  EXPECT_EQ(Messages(r), (std::vector<std::string>{
                             "expected a string, got a list",
                             "unknown key 'runn' in job 'build'",
                             "job 'build' has neither run nor commands",
                             "duration '10' has no unit",
                             "unknown language 'cobol'",
                             "job 'test2' has both run and commands",
                             "job 'test' needs unknown job 'biuld'",
                             "job 'test' needs unknown job 'lint'",
                         }));
  EXPECT_EQ(r.problems.all()[1].hint.substr(0, 25), "did you mean 'run'? valid");
  EXPECT_EQ(r.problems.all()[6].hint, "did you mean 'build'?");
  EXPECT_EQ(r.problems.all()[6].loc.line, 7);
  EXPECT_EQ(r.problems.all()[6].loc.col, 13);
  EXPECT_FALSE(r.ok());
}

TEST(LoadTest, DuplicateJobKeysAndStageJobsWithoutNames) {
  EXPECT_EQ(Messages(Load("jobs:\n  a: {run: x}\n  a: {run: y}\n")),
            std::vector<std::string>{"duplicate key 'a' in jobs"});
  EXPECT_EQ(Messages(Load("stages:\n  - jobs: [{run: x}]\n")),
            (std::vector<std::string>{"stage has no name", "job has no name"}));
  EXPECT_EQ(Messages(Load("stages:\n  - name: s\n")),
            std::vector<std::string>{"stage 's' has no jobs"});
  EXPECT_EQ(
      Messages(Load("stages:\n  - name: s\n    strategy: canary\n    jobs: [{name: a, run: x}]\n")),
      std::vector<std::string>{"stage 's' sets strategy but no environment"});
}

TEST(LoadTest, EmptyJobNamesAreErrors) {
  EXPECT_EQ(Messages(Load("jobs:\n  '': {run: x}\n")),
            std::vector<std::string>{"job name is empty"});
  EXPECT_EQ(Messages(Load("stages:\n  - name: s\n    jobs: [{name: '', run: x}]\n")),
            std::vector<std::string>{"job name is empty"});
}

TEST(LoadTest, UndefinedEnvironmentIsAnErrorNamingTheDefinedOnes) {
  // `run` would otherwise build and test, then fail at the deploy.
  LoadResult r = Load("stages:\n  - name: d\n    environment: staging\n");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.problems.all().size(), 1u);
  EXPECT_EQ(r.problems.all()[0].severity, Severity::kError);
  EXPECT_EQ(r.problems.all()[0].loc.line, 3);
  EXPECT_EQ(r.problems.all()[0].loc.col, 18);
  EXPECT_EQ(r.problems.all()[0].hint.find("there are no environments"), 0u);
  r = Load(
      "environments: {staging-eu: {}, prod: {}}\n"
      "stages:\n  - name: d\n    environment: staging\n");
  ASSERT_EQ(r.problems.all().size(), 1u);
  const std::string& hint = r.problems.all()[0].hint;
  EXPECT_NE(hint.find("environments defined: "), std::string::npos) << hint;
  EXPECT_NE(hint.find("staging-eu"), std::string::npos) << hint;
  EXPECT_NE(hint.find("prod"), std::string::npos) << hint;
  EXPECT_TRUE(Load("environments: {staging: {}}\n"
                   "stages:\n  - name: d\n    environment: staging\n")
                  .ok());
}

TEST(LoadTest, SecretsAndOutputsForms) {
  EXPECT_EQ(Messages(Load("secrets: [OK_1, 'not ok']\njobs: {a: {run: x}}")),
            std::vector<std::string>{"bad secret name 'not ok'"});
  LoadResult r = Load("jobs: {a: {run: x, outputs: {v: '1'}}}");
  EXPECT_EQ(r.pipeline.jobs[0].outputs, std::vector<std::string>{"v"});
}

TEST(LoadTest, GlobsAreCheckedByTheGlobCompiler) {
  LoadResult good = Load(
      "changes: { ignore: ['**/*.md', '!docs/keep.md'] }\n"
      "jobs:\n"
      "  a: { run: x, inputs: ['src/{lib,bin}/**', './x/'], artifacts: 'dist/*.whl',\n"
      "       changes: { paths: 'src/[!.]*' } }\n");
  ASSERT_TRUE(good.ok()) << good.problems.Format(good.source);
  EXPECT_EQ(good.pipeline.changes.ignore, (std::vector<std::string>{"**/*.md", "!docs/keep.md"}));
  EXPECT_EQ(good.pipeline.jobs[0].inputs, (std::vector<std::string>{"src/{lib,bin}/**", "./x/"}));

  LoadResult bad = Load("jobs:\n  a: { run: x, inputs: ['src/**', 'a/[b', '!../c'] }\n");
  ASSERT_EQ(bad.problems.all().size(), 2u) << bad.problems.Format(bad.source);
  const Problem& p = bad.problems.all()[0];
  EXPECT_EQ(p.message, "invalid glob 'a/[b': '[' at column 3 is not closed");
  EXPECT_EQ(p.loc.line, 2);
  EXPECT_EQ(p.loc.col, 35);
  EXPECT_NE(p.hint.find("{a,b}"), std::string::npos);
  EXPECT_EQ(bad.problems.all()[1].message,
            "invalid glob '../c': '..' would reach outside the workspace");
  // Only the valid pattern is kept.
  EXPECT_EQ(bad.pipeline.jobs[0].inputs, std::vector<std::string>{"src/**"});
}

TEST(LoadTest, LoadFileReportsUnreadableFile) {
  LoadResult r = LoadFile("/nonexistent/gauntlet.yml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.problems.all()[0].loc.file, "/nonexistent/gauntlet.yml");
}

TEST(LoadTest, FindPipelineFileWalksUp) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("gauntlet-find-" + std::to_string(::getpid()));
  fs::create_directories(root / "a" / "b");
  EXPECT_EQ(FindPipelineFile((root / "a" / "b").string()), "");
  std::ofstream(root / "gauntlet.yaml") << "jobs: {a: {run: x}}\n";
  EXPECT_EQ(FindPipelineFile((root / "a" / "b").string()), (root / "gauntlet.yaml").string());
  std::ofstream(root / "a" / "gauntlet.yml") << "jobs: {a: {run: x}}\n";
  EXPECT_EQ(FindPipelineFile((root / "a" / "b").string()), (root / "a" / "gauntlet.yml").string());
  fs::remove_all(root);
}

}  // namespace
}  // namespace gauntlet::spec
