// A workflow's `run-name:` and a pipeline's `run_name:` (docs/github-actions.md, "The
// workflow"), end to end: rendered once when the run starts, kept as the run's title and
// shown by `runs` and `status` (and their --json); a hostile value stays text and a
// secret in it is masked; a run-name that reads what is not known at the start is an
// error at its line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string InstallRunName(Workspace& ws) {
  ws.Write(".github/workflows/run_name.yml", ReadFile(testing::GhaFixture("run_name.yml")));
  return ".github/workflows/run_name.yml";
}

TEST(GhaRunNameTest, TheRenderedRunNameIsTheRunsTitle) {
  Workspace ws;
  const std::string file = InstallRunName(ws);
  auto r = ws.Run({"run", file, "--input", "environment=production", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(testing::JsonOut(r)["title"], "Deploy production");

  auto runs = ws.Run({"runs", "--json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  EXPECT_EQ(testing::JsonOut(runs)[0]["title"], "Deploy production");
  auto table = ws.Run({"runs"});
  EXPECT_THAT(table.out, HasSubstr("TITLE"));
  EXPECT_THAT(table.out, HasSubstr("Deploy production"));

  auto status = ws.Run({"status", "--json"});
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_EQ(testing::JsonOut(status)["title"], "Deploy production");
  EXPECT_THAT(ws.Run({"status"}).out, HasSubstr("title:    Deploy production\n"));

  auto plan = ws.Run({"plan", file, "--json"});
  EXPECT_THAT(testing::JsonOut(plan).value("run_name", ""),
              HasSubstr("format('Deploy {0}', inputs.environment)"));
  auto validate = ws.Run({"validate", file});
  EXPECT_EQ(validate.code, 0) << validate.err;
  EXPECT_THAT(validate.err, Not(HasSubstr("run-name")));
}

TEST(GhaRunNameTest, AValueFromOutsideTheFileStaysTextAndASecretInItIsMasked) {
  Workspace ws;
  const std::string file = InstallRunName(ws);
  const std::string message = "rotate hunter2 $(touch pwned) ${{ secrets.TOKEN }}";
  ws.Write("push.json", json{{"ref", "refs/heads/main"},
                             {"head_commit", {{"message", message}}}}.dump());
  ws.Write("secrets.env", "TOKEN=hunter2\n");
  auto r = ws.Run({"run", file, "--event", "push", "--event-payload", "push.json",
                   "--secrets-file", "secrets.env", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  // Rendered once: the message's own `${{ }}` is text, never evaluated.
  EXPECT_EQ(testing::JsonOut(r)["title"], "Push: rotate *** $(touch pwned) ${{ secrets.TOKEN }}");
  EXPECT_FALSE(fs::exists(ws.dir() / "pwned"));
  auto runs = ws.Run({"runs", "--json"});
  EXPECT_EQ(testing::JsonOut(runs)[0]["title"],
            "Push: rotate *** $(touch pwned) ${{ secrets.TOKEN }}");
}

TEST(GhaRunNameTest, ARunNameThatReadsWhatTheStartDoesNotKnowIsAnError) {
  Workspace ws;
  ws.Write(".github/workflows/bad.yml",
           "on: push\n"
           "run-name: build ${{ env.TARGET }}\n"
           "jobs:\n"
           "  a: {runs-on: ubuntu-latest, steps: [{run: make}]}\n");
  auto r = ws.Run({"validate", ".github/workflows/bad.yml"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("bad.yml:2:11"));
  EXPECT_THAT(r.err, HasSubstr("run-name cannot read 'env'"));
}

TEST(GhaRunNameTest, APipelineFileHasRunNameToo) {
  Workspace ws;
  ws.Write("gauntlet.yml",
           "name: app\n"
           "run_name: ${{ event.name }} build\n"
           "jobs:\n"
           "  build: {run: \"true\"}\n");
  auto r = ws.Run({"run", "gauntlet.yml", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(testing::JsonOut(r)["title"], "manual build");
  auto runs = ws.Run({"runs", "--json"});
  EXPECT_EQ(testing::JsonOut(runs)[0]["title"], "manual build");
}

}  // namespace
}  // namespace gauntlet
