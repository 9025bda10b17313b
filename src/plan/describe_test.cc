#include "plan/describe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace gauntlet::plan {
namespace {

using ::testing::HasSubstr;

// A job with every key set, a matrix, and a deploy stage.
class DescribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    p_.file = "gauntlet.yml";
    p_.name = "main-build";
    p_.env = {{"CI", "true"}};
    p_.defaults.timeout = std::chrono::minutes(10);
    p_.changes.ignore = {"**/*.md"};
    p_.triggers.branches = {"main"};
    p_.triggers.schedules = {"0 3 * * *"};
    p_.gates.min_line_coverage = 80;
    spec::Environment env;
    env.name = "staging";
    env.strategy = "canary";
    env.url = "http://staging";
    env.deploy = "./deploy.sh";
    p_.environments = {env};
    spec::Job build;
    build.name = "build";
    build.commands = {"make", "make check\nmake install"};
    spec::Job unit;
    unit.name = "unit";
    unit.commands = {"pytest -q"};
    unit.matrix.axes = {{"python", {{"3.11"}, {"3.12"}}}};
    unit.if_expr = "branch == 'main'";
    unit.env = {{"PY", "${{ matrix.python }}"}};
    unit.timeout = std::chrono::minutes(5);
    unit.retry = {2, std::chrono::seconds(2), {1, 2}, true};
    unit.continue_on_error = true;
    unit.working_directory = "py";
    unit.inputs = {"src/**"};
    unit.outputs = {"version"};
    unit.artifacts = {"dist/*.whl"};
    unit.reports = {"report.xml", "coverage.xml"};
    unit.diagnostics = {"pytest"};
    unit.secrets = {"PYPI_TOKEN"};
    unit.shell = "sh";
    unit.language = spec::Language::kPython;
    unit.changes.paths = {"src/**"};
    unit.cache = false;
    unit.cache_key_extra = {"v2"};
    p_.jobs = {build, unit};
    spec::Stage s1, s2, s3;
    s1.name = "build";
    s1.jobs = {"build"};
    s2.name = "test";
    s2.jobs = {"unit"};
    s2.depends_on = std::vector<spec::Located>{{"build", {}}};
    s3.name = "ship";
    s3.environment = "staging";
    s3.rollback_on_failure = true;
    p_.stages = {s1, s2, s3};
    plan_ = Build(p_, &problems_);
    ASSERT_FALSE(problems_.has_errors());
  }

  spec::Pipeline p_;
  spec::Problems problems_;
  Plan plan_;
};

TEST_F(DescribeTest, TextShowsEveryKeyThatIsSet) {
  std::string text = DescribeText(plan_);
  for (const char* want :
       {"pipeline main-build (gauntlet.yml): 4 jobs",
        "env: CI=true",
        "timeout=10m",
        "changes: ignore **/*.md",
        "branches main",
        "schedule \"0 3 * * *\"",
        "stages: build, test (depends_on [build]), ship",
        "min_line_coverage 80%",
        "max_fix_attempts 3",
        "trust l1 20/0/0d",
        "environment staging: strategy canary url http://staging",
        "1. build\n",
        "    $ make\n",
        "    $ make check\n      make install\n",
        "2. unit (python=3.11)\n    stage: test\n    needs: build\n    matrix: python=3.11\n",
        "timeout: 5m  shell: sh  working_directory: py",
        "if: branch == 'main'",
        "env: PY=${{ matrix.python }}",
        "retry: 2 attempts, backoff 2s, on exit 1,2, on timeout",
        "continue_on_error: true",
        "language: python",
        "diagnostics: pytest",
        "inputs: src/**",
        "outputs: version",
        "artifacts: dist/*.whl",
        "reports: junit=report.xml coverage=coverage.xml",
        "secrets: PYPI_TOKEN",
        "changes: paths src/**",
        "cache: off",
        "cache_key_extra: v2",
        "4. deploy: staging  [deploy]\n    stage: ship\n    needs: unit (python=3.11), unit "
        "(python=3.12)\n",
        "environment: staging  strategy: canary  rollback_on_failure: true",
        "deploy: ./deploy.sh",
        "critical path (3 jobs): build -> unit (python=3.11) -> deploy: staging"})
    EXPECT_THAT(text, HasSubstr(want));
}

TEST_F(DescribeTest, JsonHasEveryKey) {
  nlohmann::json j = DescribeJson(plan_);
  EXPECT_EQ(j["name"], "main-build");
  EXPECT_EQ(j["defaults"]["timeout"], "10m");
  EXPECT_EQ(j["on"]["schedules"][0], "0 3 * * *");
  EXPECT_EQ(j["gates"]["min_line_coverage"], 80.0);
  EXPECT_EQ(j["environments"][0]["strategy"], "canary");
  EXPECT_EQ(j["stages"][1]["depends_on"], nlohmann::json({"build"}));
  EXPECT_TRUE(j["stages"][0]["depends_on"].is_null());
  EXPECT_EQ(j["stages"][2]["environment"], "staging");
  ASSERT_EQ(j["jobs"].size(), 4u);
  const nlohmann::json& u = j["jobs"][2];
  EXPECT_EQ(u["name"], "unit (python=3.12)");
  EXPECT_EQ(u["base_name"], "unit");
  EXPECT_EQ(u["stage"], "test");
  EXPECT_EQ(u["needs"], nlohmann::json({"build"}));
  EXPECT_EQ(u["matrix"]["python"], "3.12");
  EXPECT_EQ(u["timeout"], "5m");
  EXPECT_EQ(u["retry"]["attempts"], 2);
  EXPECT_EQ(u["retry"]["on_exit_codes"], nlohmann::json({1, 2}));
  EXPECT_EQ(u["retry"]["on_timeout"], true);
  EXPECT_EQ(u["shell"], "sh");
  EXPECT_EQ(u["language"], "python");
  EXPECT_EQ(u["if"], "branch == 'main'");
  EXPECT_EQ(u["env"]["PY"], "${{ matrix.python }}");
  EXPECT_EQ(u["reports"]["coverage"], "coverage.xml");
  EXPECT_EQ(u["secrets"][0], "PYPI_TOKEN");
  EXPECT_EQ(u["cache"], false);
  const nlohmann::json& d = j["jobs"][3];
  EXPECT_EQ(d["kind"], "deploy");
  EXPECT_EQ(d["deploy"]["environment"], "staging");
  EXPECT_EQ(d["deploy"]["strategy"], "canary");
  EXPECT_EQ(d["deploy"]["rollback_on_failure"], true);
  // docs/cli.md lists these keys for every job, deploy steps included.
  for (const auto& [key, value] : u.items()) {
    if (key != "deploy") {
      EXPECT_TRUE(d.contains(key)) << "deploy step lacks '" << key << "'";
    }
  }
  EXPECT_EQ(d["commands"], nlohmann::json::array());
  EXPECT_EQ(d["if"], "");
  EXPECT_EQ(d["language"], "");
  EXPECT_EQ(d["cache"], false);
  EXPECT_EQ(j["critical_path"].size(), 3u);
  // Every key docs/cli.md lists is there, set or not, for every job and at the top.
  for (const char* key : {"name", "env", "defaults", "changes", "on", "stages", "gates",
                          "environments", "jobs", "critical_path"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  // The per-job keys of docs/cli.md, in its order.
  std::vector<std::string> job_keys;
  std::istringstream words(
      "id name kind base_name stage needs matrix commands if env timeout retry "
      "continue_on_error shell working_directory language inputs outputs artifacts reports "
      "diagnostics secrets changes cache cache_key_extra");
  for (std::string w; words >> w;) job_keys.push_back(w);
  for (const nlohmann::json& job : j["jobs"]) {
    if (job["kind"] != "job") continue;
    for (const std::string& key : job_keys) {
      EXPECT_TRUE(job.contains(key)) << job["name"] << " has no " << key;
    }
  }
  for (const char* key : {"id", "name", "kind", "base_name", "stage", "needs", "deploy"}) {
    EXPECT_TRUE(d.contains(key)) << "the deploy step has no " << key;
  }
}

TEST(DescribeBareTest, PipelineWithoutOptionalSectionsHasAShortHeader) {
  spec::Pipeline p;
  spec::Job j;
  j.name = "only";
  j.commands = {"true"};
  p.jobs = {j};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  EXPECT_EQ(DescribeText(plan),
            "pipeline (unnamed): 1 jobs\n"
            "    defaults: shell=bash timeout=1h\n"
            "\n"
            "1. only\n"
            "    needs: -\n"
            "    timeout: 1h  shell: bash\n"
            "    $ true\n"
            "\n"
            "critical path (1 jobs): only\n");
}

TEST(DescribeBareTest, TheParsersAJobGetsAndWhereTheyCameFrom) {
  spec::Pipeline p;
  spec::Job style, unit;
  style.name = "style";
  style.commands = {"black --check src && ruff check src"};
  style.language = spec::Language::kPython;
  unit.name = "unit";
  unit.commands = {"./run-tests"};
  unit.language = spec::Language::kPython;
  p.jobs = {style, unit};
  spec::Problems problems;
  Plan plan = Build(p, &problems);
  const std::string text = DescribeText(plan);
  EXPECT_NE(text.find("diagnostics: black, ruff (from the commands)"), std::string::npos) << text;
  EXPECT_NE(text.find("diagnostics: pytest (language default)"), std::string::npos) << text;
  EXPECT_EQ(DescribeJson(plan)["jobs"][0]["diagnostics"], nlohmann::json({"black", "ruff"}));
}

}  // namespace
}  // namespace gauntlet::plan
