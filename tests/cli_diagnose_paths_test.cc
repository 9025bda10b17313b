// End-to-end: where `gauntlet diagnose` says a problem is, with the real compilers in a
// real git repository: a tool run in another directory than the job's (`cd src && gcc`),
// a path found nowhere, g++'s notes in system headers, and the parsers a job's commands
// choose when it names none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "vcs/test_repo.h"
#include "core/test_tools.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const char* kUndeclaredC =
    "int main(void) {\n"
    "  int unused = 0;\n"
    "  (void)unused;\n"
    "  return missing + 1;\n"
    "}\n";

class CliDiagnosePathsTest : public ::testing::Test {
 protected:
  // Commits the work tree with the pipeline, runs it and returns `diagnose --json`.
  Json RunAndDiagnose(const std::string& yml) {
    ws_.Write(".git/info/exclude", ".stdout*\n.stderr*\n.gauntlet/\n");
    ws_.Write("gauntlet.yml", yml);
    repo_.Commit("broken");
    testing::Output run = ws_.Run({"run", "--keep-going"});
    EXPECT_EQ(run.code, 1) << run.out << run.err;
    testing::Output d = ws_.Run({"diagnose", "--json"});
    EXPECT_EQ(d.code, 1) << d.out << d.err;
    Json j = Json::parse(d.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << d.out;
    return j;
  }

  testing::Workspace ws_;
  vcs::TestRepo repo_{ws_.dir().string()};
};

TEST_F(CliDiagnosePathsTest, ACdInTheCommandDoesNotBreakThePath) {
  ws_.Write("src/broken.c", kUndeclaredC);
  Json j = RunAndDiagnose(
      "name: p\njobs:\n  compile:\n    run: cd src && gcc -c broken.c -o /dev/null\n"
      "    diagnostics: gcc\n");
  const Json& d = j["jobs"][0]["diagnostics"][0];
  EXPECT_EQ(d["file"], "src/broken.c") << "gcc printed broken.c from src/";
  EXPECT_EQ(d["line"], 4);
  EXPECT_EQ(d["col"], 10);
  EXPECT_FALSE(d.contains("file_unresolved"));
  EXPECT_THAT(j["jobs"][0]["suggestion"].get<std::string>(), HasSubstr("src/broken.c:4:10"));
}

TEST_F(CliDiagnosePathsTest, ANewFileNotCommittedYetIsFoundToo) {
  // Was: "fresh.c:1:21 (file not found)": the suffix was looked for among tracked files only.
  ws_.Write(".git/info/exclude", ".stdout*\n.stderr*\n.gauntlet/\nbuild-out/\n");
  ws_.Write("gauntlet.yml",
            "name: p\njobs:\n  compile:\n    run: cd engine/deep && gcc -c fresh.c -o /dev/null\n"
            "    diagnostics: gcc\n");
  repo_.Commit("pipeline");
  ws_.Write("engine/deep/fresh.c", kUndeclaredC);  // the change under test, not committed
  ws_.Write("build-out/engine/deep/fresh.c", kUndeclaredC);  // ignored: never a candidate
  ASSERT_EQ(ws_.Run({"run"}).code, 1);
  testing::Output out = ws_.Run({"diagnose", "--json"});
  Json j = Json::parse(out.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out.out << out.err;
  const Json& d = j["jobs"][0]["diagnostics"][0];
  EXPECT_EQ(d["file"], "engine/deep/fresh.c");
  EXPECT_EQ(d["line"], 4);
  EXPECT_FALSE(d.contains("file_unresolved")) << d.dump();
}

TEST_F(CliDiagnosePathsTest, APathFoundNowhereIsKeptAndFlagged) {
  Json j = RunAndDiagnose(
      "name: p\njobs:\n  compile:\n"
      "    run: \"echo 'generated/ghost.c:3:1: error: expected declaration' && false\"\n"
      "    diagnostics: gcc\n");
  const Json& d = j["jobs"][0]["diagnostics"][0];
  EXPECT_EQ(d["file"], "generated/ghost.c");
  EXPECT_EQ(d["file_unresolved"], true);
  EXPECT_THAT(j["jobs"][0]["suggestion"].get<std::string>(),
              HasSubstr("generated/ghost.c:3:1 (file not found)"));
}

TEST_F(CliDiagnosePathsTest, GxxNotesInSystemHeadersStayWithTheirError) {
  ws_.Write("src/shapes.cc",
            "#include <string>\n#include <vector>\n\nstruct Shape {\n  std::string name;\n};\n\n"
            "int main() {\n  std::vector<Shape> shapes;\n  shapes.push_back(\"square\");\n"
            "  return static_cast<int>(shapes.size());\n}\n");
  Json j = RunAndDiagnose(
      "name: p\njobs:\n  compile:\n    run: g++ -c src/shapes.cc -o /dev/null\n"
      "    language: cpp\n");
  const Json& list = j["jobs"][0]["diagnostics"];
  ASSERT_EQ(list.size(), 1u) << list.dump(2);
  EXPECT_EQ(list[0]["file"], "src/shapes.cc");
  EXPECT_EQ(list[0]["line"], 10);
  testing::Output sarif = ws_.Run({"diagnose", "--sarif"});
  EXPECT_THAT(sarif.out, Not(HasSubstr("\"uri\": \"/usr/include")));
  Json s = Json::parse(sarif.out);
  ASSERT_EQ(s["runs"][0]["results"].size(), 1u);
  const Json& result = s["runs"][0]["results"][0];
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/shapes.cc");
  EXPECT_THAT(result["relatedLocations"].dump(), HasSubstr("file:///usr/include/c++/"));
  // Still a valid SARIF 2.1.0 log (absolute related locations as file:// URIs).
  GAUNTLET_NEED_TOOL(std::system("command -v node >/dev/null 2>&1") == 0 &&
                         std::filesystem::exists("/usr/share/nodejs/ajv"),
                     "node with node-ajv");
  const std::filesystem::path file = ws_.dir() / "out.sarif";
  std::ofstream(file) << sarif.out;
  const std::string cmd = "NODE_PATH=/usr/share/nodejs node '" GAUNTLET_SOURCE_DIR
                          "/tests/gate_corpus/sarif/validate.js' '" +
                          file.string() + "' >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace gauntlet
