// End-to-end: job reports recorded by `gauntlet run` and `gauntlet diagnose` on
// real failures — the real gcc (and clang) compiling a broken C file, a job
// writing a JUnit report and an lcov file — with the real binary, SQLite store
// and log files in a temp workspace that is a real git repository.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "store/log_store.h"
#include "store/sqlite_store.h"
#include "core/test_tools.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Workspace;
namespace fs = std::filesystem;
using Json = nlohmann::json;

// A broken C file: an undeclared identifier on line 4, column 10.
const char* kBrokenC =
    "int main(void) {\n"
    "  int unused = 0;\n"
    "  (void)unused;\n"
    "  return missing + 1;\n"
    "}\n";

const char* kFailingJUnit = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="calc" tests="3" failures="1" skipped="1">
    <testcase classname="calc" name="adds" file="tests/calc_test.c" line="3" time="0.001"/>
    <testcase classname="calc" name="divides" file="tests/calc_test.c" line="12" time="0.002">
      <failure message="expected 2, got 3">tests/calc_test.c:12: expected 2, got 3</failure>
    </testcase>
    <testcase classname="calc" name="later"><skipped/></testcase>
  </testsuite>
</testsuites>
)";

bool Have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// Makes the workspace a git repository with one commit, so that diagnostics are
// relative to the repository root and the pipeline lives in a subdirectory of it.
void GitInit(const fs::path& dir) {
  const std::string cmd = "cd '" + dir.string() +
                          "' && git init -q && git add -A && git -c user.name=Ada "
                          "-c user.email=ada@example.com commit -qm init";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

class CliDiagnoseTest : public ::testing::Test {
 protected:
  // Runs the pipeline in app/ (exit code checked by the caller).
  testing::Output RunPipeline(const std::string& yml) {
    ws_.Write("app/gauntlet.yml", yml);
    GitInit(ws_.dir());
    return ws_.Run({"run", "app/gauntlet.yml", "--keep-going"});
  }
  testing::Output Gauntlet(std::vector<std::string> args) {
    args.push_back("--state-dir");
    args.push_back("app/.gauntlet");
    return ws_.Run(std::move(args));
  }
  std::unique_ptr<store::SqliteStore> OpenStore() {
    auto s = store::SqliteStore::Open((ws_.dir() / "app/.gauntlet/state.db").string());
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(s).value() : nullptr;
  }
  Workspace ws_;
};

TEST_F(CliDiagnoseTest, GccCompileErrorIsABuildDiagnosticAtItsLocation) {
  ws_.Write("app/src/broken.c", kBrokenC);
  auto run = RunPipeline(R"YML(name: broken
jobs:
  compile:
    run: gcc -c src/broken.c -o /dev/null
    diagnostics: gcc
  fine:
    run: echo fine
)YML");
  ASSERT_EQ(run.code, 1) << run.out << run.err;

  auto d = Gauntlet({"diagnose"});
  EXPECT_EQ(d.code, 1) << d.err;
  EXPECT_THAT(d.out, HasSubstr("job compile: failed, exit 1, 1 attempt, category build"));
  // Repository-relative: the pipeline (and the job) are in app/.
  EXPECT_THAT(d.out, HasSubstr("app/src/broken.c:4:10: "));
  EXPECT_THAT(d.out, HasSubstr("missing"));
  EXPECT_THAT(d.out, HasSubstr("undeclared"));
  EXPECT_THAT(d.out, HasSubstr("suggestion: fix the compile error in app/src/broken.c:4:10"));
  EXPECT_THAT(d.out, HasSubstr("| "));  // the log's tail
  EXPECT_THAT(d.out, Not(HasSubstr("job fine")));

  auto j = Gauntlet({"diagnose", "--json", "--lines", "2"});
  EXPECT_EQ(j.code, 1);
  Json out = Json::parse(j.out);
  EXPECT_EQ(out["failed"], 1);
  ASSERT_EQ(out["jobs"].size(), 1u);
  const Json& job = out["jobs"][0];
  EXPECT_EQ(job["name"], "compile");
  EXPECT_EQ(job["category"], "build");
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_EQ(job["exit"], "exit 1");
  EXPECT_EQ(job["parsers"], Json::array({"gcc"}));
  ASSERT_FALSE(job["diagnostics"].empty());
  EXPECT_EQ(job["diagnostics"][0]["file"], "app/src/broken.c");
  EXPECT_EQ(job["diagnostics"][0]["line"], 4);
  EXPECT_EQ(job["diagnostics"][0]["col"], 10);
  EXPECT_EQ(job["diagnostics"][0]["tool"], "gcc");
  const std::string tail = job["log_tail"].get<std::string>();
  EXPECT_EQ(std::count(tail.begin(), tail.end(), '\n'), 2) << tail;  // --lines 2 of more

  auto rd = Gauntlet({"diagnose", "--rdjson"});
  EXPECT_EQ(rd.code, 1);
  Json rdjson = Json::parse(rd.out);
  ASSERT_FALSE(rdjson["diagnostics"].empty());
  EXPECT_EQ(rdjson["diagnostics"][0]["location"]["path"], "app/src/broken.c");
  EXPECT_EQ(rdjson["diagnostics"][0]["location"]["range"]["start"]["line"], 4);
  EXPECT_EQ(rdjson["diagnostics"][0]["severity"], "ERROR");
}

TEST_F(CliDiagnoseTest, ClangCompileErrorThroughTheParserItsCommandChooses) {
  GAUNTLET_NEED_TOOL(Have("clang"), "clang");
  ws_.Write("app/src/broken.c", kBrokenC);
  auto run = RunPipeline(R"YML(name: broken
jobs:
  compile:
    run: clang -fno-color-diagnostics -c src/broken.c -o /dev/null
    language: cpp
)YML");
  ASSERT_EQ(run.code, 1) << run.err;
  auto d = Gauntlet({"diagnose", "--json"});
  EXPECT_EQ(d.code, 1);
  Json job = Json::parse(d.out)["jobs"][0];
  EXPECT_EQ(job["category"], "build");
  EXPECT_EQ(job["parsers"], Json::array({"clang"}));  // not the language's gcc
  ASSERT_FALSE(job["diagnostics"].empty());
  EXPECT_EQ(job["diagnostics"][0]["file"], "app/src/broken.c");
  EXPECT_EQ(job["diagnostics"][0]["line"], 4);
  EXPECT_EQ(job["diagnostics"][0]["col"], 10);
}

TEST_F(CliDiagnoseTest, SarifOutputValidatesAgainstTheSchema) {
  GAUNTLET_NEED_TOOL(Have("node") && fs::exists("/usr/share/nodejs/ajv"), "node with node-ajv");
  ws_.Write("app/src/broken.c", kBrokenC);
  auto run = RunPipeline(
      "name: broken\njobs:\n  compile:\n    run: gcc -c src/broken.c -o /dev/null\n"
      "    diagnostics: gcc\n");
  ASSERT_EQ(run.code, 1) << run.err;
  auto s = Gauntlet({"diagnose", "--sarif"});
  EXPECT_EQ(s.code, 1);
  Json sarif = Json::parse(s.out);
  ASSERT_FALSE(sarif["runs"].empty());
  EXPECT_EQ(
      sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "app/src/broken.c");
  auto validate = [&](const Json& doc) {
    const fs::path file = ws_.dir() / "out.sarif";
    std::ofstream(file) << doc.dump(2);
    const std::string cmd = "NODE_PATH=/usr/share/nodejs node '" GAUNTLET_SOURCE_DIR
                            "/tests/gate_corpus/sarif/validate.js' '" +
                            file.string() + "' 2>&1";
    return std::system(cmd.c_str());
  };
  EXPECT_EQ(validate(sarif), 0);
  sarif["runs"][0]["results"][0]["level"] = "fatal";  // the validator can fail
  EXPECT_NE(validate(sarif), 0);
}

TEST_F(CliDiagnoseTest, FailedTestsFromTheJUnitReportWithFileAndLine) {
  ws_.Write("app/report.xml.in", kFailingJUnit);
  auto run = RunPipeline(R"YML(name: tests
jobs:
  unit:
    commands:
      - mkdir -p out && cp report.xml.in out/report.xml
      - echo "1 of 3 tests failed" && exit 1
    reports: { junit: out/report.xml }
)YML");
  ASSERT_EQ(run.code, 1) << run.err;

  auto d = Gauntlet({"diagnose"});
  EXPECT_EQ(d.code, 1) << d.err;
  EXPECT_THAT(d.out, HasSubstr("category test"));
  EXPECT_THAT(d.out, HasSubstr("tests: 1 failed, 1 passed, 1 skipped of 3"));
  EXPECT_THAT(d.out, HasSubstr("app/tests/calc_test.c:12: expected 2, got 3 [calc::divides]"));
  EXPECT_THAT(d.out, Not(HasSubstr("no diagnostics found")));

  auto st = Gauntlet({"status", "--json"});
  ASSERT_EQ(st.code, 0);
  Json status = Json::parse(st.out);
  EXPECT_EQ(status["tests"]["total"], 3);
  EXPECT_EQ(status["tests"]["failed"], 1);
  EXPECT_EQ(status["metrics"]["tests.skipped"], 1);
}

TEST_F(CliDiagnoseTest, ProblemMatcherFilesAreReadBesideThePipelineFile) {
  ws_.Write("app/ci/matcher.json", R"JSON({"problemMatcher": [{"owner": "lint-custom",
    "pattern": [{"regexp": "^(\\S+):(\\d+):(\\d+): (.*)$",
                 "file": 1, "line": 2, "column": 3, "message": 4}]}]})JSON");
  auto run = RunPipeline(R"YML(name: lint
jobs:
  lint:
    run: |
      echo "scripts/x.sh:3:5: unquoted variable"
      exit 1
    diagnostics: [ci/matcher.json]
)YML");
  ASSERT_EQ(run.code, 1) << run.err;
  auto d = Gauntlet({"diagnose", "--json"});
  EXPECT_EQ(d.code, 1);
  Json job = Json::parse(d.out)["jobs"][0];
  EXPECT_EQ(job["category"], "lint");
  EXPECT_EQ(job["parsers"], Json::array({"ci/matcher.json"}));
  ASSERT_EQ(job["diagnostics"].size(), 1u) << d.out;
  EXPECT_EQ(job["diagnostics"][0]["file"], "app/scripts/x.sh");
  EXPECT_EQ(job["diagnostics"][0]["line"], 3);
  EXPECT_EQ(job["diagnostics"][0]["col"], 5);
  EXPECT_EQ(job["diagnostics"][0]["message"], "unquoted variable");
}

TEST_F(CliDiagnoseTest, CoverageFromLcovLandsInReportsAndMetrics) {
  ws_.Write("app/cov.info.in",
            "TN:\nSF:src/calc.c\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,0\n"
            "BRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n");
  auto run = RunPipeline(R"YML(name: cov
jobs:
  unit:
    run: cp cov.info.in lcov.info
    reports: { coverage: lcov.info }
  plain:
    run: "true"
)YML");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.err, Not(HasSubstr("warning")));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto latest = store->LatestRun(std::nullopt);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  auto reports = store->GetReports((*latest)->id);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);  // the job without reports has none
  EXPECT_EQ((*reports)[0].job_name, "unit");
  EXPECT_EQ((*reports)[0].kind, "coverage");
  Json cov = Json::parse((*reports)[0].json);
  EXPECT_EQ(cov["lines_total"], 4);
  EXPECT_EQ(cov["files"][0]["file"], "app/src/calc.c");
  auto metrics = store->GetMetrics((*latest)->id);
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ((*metrics)["coverage.line"], 75.0);
  EXPECT_DOUBLE_EQ((*metrics)["coverage.branch"], 50.0);
  EXPECT_EQ(metrics->count("tests.total"), 0u);

  auto runs = Gauntlet({"runs", "--json"});
  ASSERT_EQ(runs.code, 0);
  EXPECT_DOUBLE_EQ(Json::parse(runs.out)[0]["coverage"]["line"].get<double>(), 75.0);
  auto table = Gauntlet({"runs"});
  EXPECT_THAT(table.out, HasSubstr("75.0%"));
  auto status = Gauntlet({"status"});
  EXPECT_THAT(status.out, HasSubstr("coverage: 75.0% lines, 50.0% branches"));

  // Nothing failed: said plainly, exit 0.
  auto d = Gauntlet({"diagnose"});
  EXPECT_EQ(d.code, 0);
  EXPECT_THAT(d.out, HasSubstr("no job failed"));
  EXPECT_EQ(Json::parse(Gauntlet({"diagnose", "--json"}).out)["failed"], 0);
}

TEST_F(CliDiagnoseTest, AReportPathEscapingTheWorkspaceIsRefused) {
  ws_.Write("outside.xml", kFailingJUnit);  // in the repository, outside the workspace app/
  auto run = RunPipeline(R"YML(name: escape
jobs:
  unit:
    run: "true"
    reports: { junit: ../outside.xml, coverage: missing.info }
)YML");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("warning: job 'unit': junit report '../outside.xml' escapes the "
                                 "workspace"));
  EXPECT_THAT(run.err, HasSubstr("coverage report 'missing.info' no such file"));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto reports = store->GetReports(1);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].kind, "warnings");  // no junit: the file was never read
  auto metrics = store->GetMetrics(1);
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(metrics->empty());
  auto status = Gauntlet({"status"});
  EXPECT_THAT(status.out, HasSubstr("warning: job 'unit': junit report '../outside.xml' escapes"));
  auto logs = Gauntlet({"logs", "1", "unit"});
  EXPECT_THAT(logs.out, HasSubstr("gauntlet: warning: coverage report 'missing.info'"));
}

TEST_F(CliDiagnoseTest, UnknownRunOrJobExitsThree) {
  auto run = RunPipeline("name: ok\njobs:\n  a:\n    run: \"true\"\n");
  ASSERT_EQ(run.code, 0) << run.err;
  auto none = Gauntlet({"diagnose", "999"});
  EXPECT_EQ(none.code, 3);
  EXPECT_THAT(none.err, HasSubstr("no run 999"));
  auto job = Gauntlet({"diagnose", "--job", "nope"});
  EXPECT_EQ(job.code, 3);
  EXPECT_THAT(job.err, HasSubstr("has no job 'nope'"));
  EXPECT_EQ(Gauntlet({"diagnose", "--json", "--sarif"}).code, 2);
}

}  // namespace
}  // namespace gauntlet
