#include "gate/sarif.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"
#include "core/test_tools.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateSarifTest, ReadsEslintSarif) {
  auto r = ParseSarif(ReadCorpus("sarif/eslint.sarif"),
                      {std::string(testing::kCaptureRoot) + "/eslint"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(
      Summaries(*r),
      ElementsAre("app.js:1:7 error lint no-unused-vars: 'fs' is assigned a value but never used.",
                  "app.js:4:7 error lint no-unused-vars: 'unused' is assigned a value but never "
                  "used.",
                  "app.js:5:7 error lint no-undef: 'x' is not defined.",
                  "app.js:5:9 warning lint eqeqeq: Expected '===' and instead saw '=='.",
                  "app.js:6:23 error lint semi: Missing semicolon."));
  EXPECT_EQ((*r)[0].tool, "ESLint");
  EXPECT_EQ((*r)[0].end_col, 9);
}

TEST(GateSarifTest, SecurityFromToolOrRuleTags) {
  const char* log = R"({"version":"2.1.0","runs":[
    {"tool":{"driver":{"name":"CodeQL"}},
     "results":[{"ruleId":"js/sql-injection","message":{"text":"query built from input"},
                 "locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/db.js"},
                               "region":{"startLine":12}}}]}]},
    {"tool":{"driver":{"name":"somelinter","rules":[
        {"id":"R1","properties":{"tags":["security","external/cwe/cwe-79"]}},
        {"id":"R2","defaultConfiguration":{"level":"note"}}]}},
     "results":[{"ruleId":"R1","level":"error","message":{"text":"xss"}},
                {"ruleIndex":1,"message":{"text":"style"}}]}]})";
  auto r = ParseSarif(log);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(
      Summaries(*r),
      ElementsAre("src/db.js:12:0 warning security js/sql-injection: query built from input",
                  ":0:0 error security R1: xss", ":0:0 note lint R2: style"));
}

TEST(GateSarifTest, RejectsNonSarif) {
  EXPECT_FALSE(ParseSarif("[]").ok());
  EXPECT_FALSE(ParseSarif("{\"version\":\"2.1.0\"}").ok());
  // Wrong types inside are an error, not a crash.
  EXPECT_FALSE(
      ParseSarif(R"({"runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":3}]}]})").ok());
}

std::vector<Diagnostic> MixedDiagnostics() {
  std::vector<Diagnostic> all;
  for (const auto& [parser, file] :
       std::vector<std::pair<std::string, std::string>>{{"gcc", "gcc/gcc.out"},
                                                        {"tsc", "tsc/tsc-pretty.out"},
                                                        {"cargo", "cargo/broken/cargo-json.out"},
                                                        {"pytest", "python/pytest.out"},
                                                        {"go", "go/broken/test.out"}}) {
    auto r = ParseDiagnostics(parser, ReadCorpus(file));
    EXPECT_TRUE(r.ok());
    for (auto& d : *r) all.push_back(d);
  }
  return all;
}

TEST(GateSarifTest, OutputHasRunsRulesAndLocations) {
  nlohmann::json log = ToSarif(MixedDiagnostics());
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 5u);  // gcc, tsc, rustc, pytest, go
  const auto& gcc = log["runs"][0];
  EXPECT_EQ(gcc["tool"]["driver"]["name"], "gcc");
  EXPECT_EQ(gcc["tool"]["driver"]["rules"][0]["id"], "-Wunused-variable");
  const auto& unused = gcc["results"][1];
  EXPECT_EQ(unused["ruleId"], "-Wunused-variable");
  EXPECT_EQ(unused["level"], "warning");
  EXPECT_EQ(unused["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "main.c");
  EXPECT_EQ(unused["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
  EXPECT_EQ(unused["locations"][0]["physicalLocation"]["region"]["startColumn"], 7);
  EXPECT_FALSE(unused["properties"].contains("file_unresolved")) << unused.dump();
  // A path found nowhere in the repository says so, as in `diagnose --json`.
  std::vector<Diagnostic> ghost = MixedDiagnostics();
  ghost[1].file_unresolved = true;
  EXPECT_EQ(ToSarif(ghost)["runs"][0]["results"][1]["properties"]["file_unresolved"], true);
  // Round trip: what gauntlet writes, it reads back.
  auto back = ParseSarif(log.dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size(), MixedDiagnostics().size());
  EXPECT_EQ((*back)[1].rule, "-Wunused-variable");
  EXPECT_EQ((*back)[1].line, 4);
}

// The output validates against the official SARIF 2.1.0 schema (ajv, node).
TEST(GateSarifTest, OutputValidatesAgainstOfficialSchema) {
  GAUNTLET_NEED_TOOL(std::system("command -v node >/dev/null 2>&1") == 0 &&
                         std::filesystem::exists("/usr/share/nodejs/ajv"),
                     "node with node-ajv");
  const std::string validator = testing::CorpusPath("sarif/validate.js");
  auto dir =
      std::filesystem::temp_directory_path() / ("gauntlet-sarif-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto run = [&](const std::string& name, const nlohmann::json& doc) {
    const auto path = dir / name;
    std::ofstream(path) << doc.dump(2);
    const std::string cmd =
        "NODE_PATH=/usr/share/nodejs node '" + validator + "' '" + path.string() + "' 2>&1";
    return std::system(cmd.c_str());
  };
  EXPECT_EQ(run("mixed.sarif", ToSarif(MixedDiagnostics())), 0);
  EXPECT_EQ(run("empty.sarif", ToSarif({})), 0);
  // The validator does reject an invalid log (so the check above can fail).
  nlohmann::json broken = ToSarif(MixedDiagnostics());
  broken["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(run("broken.sarif", broken), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet::gate
