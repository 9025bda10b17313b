// End-to-end: the real `gauntlet` binary on pipeline files in a temp dir, for validate,
// plan and graph. Children are spawned with posix_spawn (no shell), their stdout and
// stderr redirected to files read after they exit.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"

extern char** environ;

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using testing::Output;
using testing::ReadFile;

class CliPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "gauntlet-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

  // Runs the binary with `args` in `cwd` (default: the temp dir).
  Output Run(std::vector<std::string> args, const fs::path& cwd = {}) {
    fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    return testing::WaitGauntlet(
        testing::SpawnGauntlet(std::move(args), cwd.empty() ? dir_ : cwd, out, err), out, err);
  }

  fs::path dir_;
};

constexpr const char* kMatrixPipeline = R"(name: demo
defaults: { shell: bash, timeout: 10m }
jobs:
  build:
    run: "true"
  unit:
    needs: [build]
    run: pytest -q
    matrix: { python: ["3.11", "3.12"] }
    timeout: 5m
    retry: { attempts: 2, backoff: 2s }
    secrets: [PYPI_TOKEN]
  report:
    needs: [unit]
    run: "true"
)";

constexpr const char* kCyclePipeline = R"(jobs:
  a:
    needs: [c]
    run: "true"
  b:
    needs: [a]
    run: "true"
  c:
    needs: [b]
    run: "true"
)";

TEST_F(CliPlanTest, HelpDescribesEachCommand) {
  for (const char* cmd : {"validate", "plan", "graph"}) {
    Output o = Run({cmd, "--help"});
    EXPECT_EQ(o.code, 0) << cmd;
    EXPECT_THAT(o.out, HasSubstr("Exit codes")) << cmd;
  }
}

TEST_F(CliPlanTest, NoPipelineFileExits3) {
  fs::create_directory(dir_ / "empty");
  Output o = Run({"validate"}, dir_ / "empty");
  EXPECT_EQ(o.code, 3);
  EXPECT_THAT(o.err, HasSubstr("no gauntlet.yml"));
  Output missing = Run({"plan", "--json", "nope.yml"});
  EXPECT_EQ(missing.code, 3);
  EXPECT_EQ(nlohmann::json::parse(missing.out)["valid"], false);
}

TEST_F(CliPlanTest, UnknownGraphFormatIsAUsageError) {
  Write("gauntlet.yml", kMatrixPipeline);
  Output o = Run({"graph", "--format", "svg"});
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.err, HasSubstr("svg"));
}

// The tests below need the YAML loader (spec::LoadFile); they fail until it is merged.

TEST_F(CliPlanTest, ValidateAcceptsAValidFileFoundInTheWorkingDirectory) {
  Write("gauntlet.yml", kMatrixPipeline);
  Output o = Run({"validate"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("valid, 4 jobs"));
  Output j = Run({"validate", "--json"});
  EXPECT_EQ(j.code, 0) << j.err;
  nlohmann::json v = nlohmann::json::parse(j.out);
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["jobs"], 4);
  EXPECT_THAT(v["file"].get<std::string>(), HasSubstr("gauntlet.yml"));
}

TEST_F(CliPlanTest, ValidateReportsACycleWithItsLocation) {
  fs::path f = Write("cycle.yml", kCyclePipeline);
  Output o = Run({"validate", f.string()});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("dependency cycle: a -> c -> b -> a"));
  EXPECT_THAT(o.err, HasSubstr("cycle.yml:3:"));
  Output j = Run({"validate", "--json", f.string()});
  EXPECT_EQ(j.code, 1);
  nlohmann::json v = nlohmann::json::parse(j.out);
  EXPECT_EQ(v["valid"], false);
  ASSERT_EQ(v["problems"].size(), 1u);
  EXPECT_EQ(v["problems"][0]["line"], 3);
  EXPECT_EQ(v["problems"][0]["severity"], "error");
}

TEST_F(CliPlanTest, AnUndefinedDeployEnvironmentIsRefusedBeforeAnyJobStarts) {
  Write("gauntlet.yml",
        "stages:\n"
        "  - name: build\n"
        "    jobs:\n"
        "      - name: compile\n"
        "        run: touch built\n"
        "  - name: ship\n"
        "    environment: prod\n"
        "environments:\n"
        "  staging: { deploy: \"true\" }\n");
  Output v = Run({"validate"});
  EXPECT_EQ(v.code, 1) << v.out << v.err;
  EXPECT_THAT(v.err, HasSubstr("gauntlet.yml:7:18: error: stage 'ship' deploys to environment "
                               "'prod', which is not defined under environments:"));
  EXPECT_THAT(v.err, HasSubstr("environments defined: staging"));
  Output r = Run({"run"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;  // an invalid pipeline
  EXPECT_THAT(r.err, HasSubstr("gauntlet.yml:7:18"));
  EXPECT_FALSE(fs::exists(dir_ / "built")) << "no job may start";
}

TEST_F(CliPlanTest, PlanJsonListsConcreteJobsInOrder) {
  Write("gauntlet.yml", kMatrixPipeline);
  Output o = Run({"plan", "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  nlohmann::json p = nlohmann::json::parse(o.out);
  ASSERT_EQ(p["jobs"].size(), 4u);
  EXPECT_EQ(p["jobs"][0]["name"], "build");
  EXPECT_EQ(p["jobs"][1]["name"], "unit (python=3.11)");
  EXPECT_EQ(p["jobs"][2]["matrix"]["python"], "3.12");
  EXPECT_EQ(p["jobs"][2]["timeout"], "5m");
  EXPECT_EQ(p["jobs"][2]["retry"]["attempts"], 2);
  EXPECT_EQ(p["jobs"][2]["secrets"][0], "PYPI_TOKEN");
  EXPECT_EQ(p["jobs"][3]["needs"], nlohmann::json({"unit (python=3.11)", "unit (python=3.12)"}));
  EXPECT_EQ(p["jobs"][0]["timeout"], "10m");
}

TEST_F(CliPlanTest, PlanTextShowsOneBlockPerJob) {
  Write("gauntlet.yml", kMatrixPipeline);
  Output o = Run({"plan"});
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* block : {"1. build\n", "2. unit (python=3.11)\n", "3. unit (python=3.12)\n",
                            "4. report\n"})
    EXPECT_THAT(o.out, HasSubstr(block));
  EXPECT_THAT(o.out, HasSubstr("retry: 2 attempts, backoff 2s"));
  EXPECT_THAT(o.out, HasSubstr("secrets: PYPI_TOKEN"));
  EXPECT_THAT(o.out, HasSubstr("critical path (3 jobs)"));
}

TEST_F(CliPlanTest, GraphRendersDotAndMermaid) {
  Write("gauntlet.yml", kMatrixPipeline);
  Output dot = Run({"graph", "--format", "dot"});
  ASSERT_EQ(dot.code, 0) << dot.err;
  EXPECT_THAT(dot.out, HasSubstr("digraph gauntlet {"));
  EXPECT_THAT(dot.out, HasSubstr("label=\"unit (python=3.11)\""));
  Output m = Run({"graph", "--format", "mermaid"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_THAT(m.out, HasSubstr("flowchart LR"));
  Output j = Run({"graph", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(nlohmann::json::parse(j.out)["nodes"].size(), 4u);
}

}  // namespace
}  // namespace gauntlet
