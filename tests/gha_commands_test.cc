// Workflow commands (docs/github-actions.md, "Workflow commands"), end to end: a
// workflow that groups its output, stops command processing with ::stop-commands::
// (inside, ::add-mask::, ::set-output, ::error and ::group:: are printed and not acted
// on), and a JavaScript action that saves state for its post script (and whose pre
// script is not run, as on GitHub).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::GhaFixture;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;


class GhaCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.Write(".github/workflows/commands.yml", ReadFile(GhaFixture("commands.yml")));
    for (const char* f : {"action.yml", "pre.js", "main.js", "post.js"})
      ws_.Write(std::string("actions/stateful/") + f,
                ReadFile(GhaFixture(std::string("actions/stateful/") + f)));
    run_ = ws_.Run({"run", ".github/workflows/commands.yml"});
    auto logs = ws_.Run({"logs", "commands"});
    EXPECT_EQ(logs.code, 0) << logs.err;
    log_ = logs.out;
  }
  Workspace ws_;
  testing::Output run_;
  std::string log_;
};

TEST_F(GhaCommandsTest, GroupsAreShownAsTitleLines) {
  EXPECT_EQ(run_.code, 1) << run_.out << run_.err;  // the last step fails on purpose
  EXPECT_THAT(log_, HasSubstr("\u25b8 Install dependencies\ninside the group\nafter the group\n"));
  EXPECT_THAT(log_, Not(HasSubstr("::group::Install")));
  EXPECT_THAT(log_, Not(HasSubstr("::endgroup::")));
}

TEST_F(GhaCommandsTest, NoCommandIsActedOnBetweenStopCommandsAndItsToken) {
  // Printed as they are, and not acted on: no mask, no output, no diagnostic, no group.
  EXPECT_THAT(log_, HasSubstr("::add-mask::not-a-secret-value\n"));
  EXPECT_THAT(log_, HasSubstr("plain not-a-secret-value\n"));
  EXPECT_THAT(log_, HasSubstr("::group::not a group\n"));
  EXPECT_THAT(log_, HasSubstr("ignored=[] honoured=[set-after-resume]\n"));
  auto diagnose = ws_.Run({"diagnose", "--json"});
  nlohmann::json d = nlohmann::json::parse(diagnose.out, nullptr, false);
  ASSERT_TRUE(d.is_object()) << diagnose.out << diagnose.err;
  std::vector<std::string> files;
  for (const auto& job : d["jobs"])
    for (const auto& diagnostic : job["diagnostics"]) files.push_back(diagnostic["file"]);
  EXPECT_THAT(files, ::testing::Contains("resumed.py"));
  EXPECT_THAT(files, Not(::testing::Contains("stopped.py")));
}

TEST_F(GhaCommandsTest, AJavaScriptActionsPostScriptReadsTheStateItsMainSaved) {
  EXPECT_THAT(log_, HasSubstr("main ran with kept-for-post\n"));
  EXPECT_THAT(log_, HasSubstr("::warning::The `save-state` command is deprecated"));
  const size_t post =
      log_.find("post sees from_file=file-value from_command=command-value label=kept-for-post\n");
  ASSERT_NE(post, std::string::npos) << log_;
  // After every step, the failed one too (post-if defaults to always()).
  EXPECT_LT(log_.find("last step\n"), post);
  EXPECT_THAT(log_, HasSubstr("\u25b6 Post Run ./actions/stateful\n"));
}

// GitHub's runner sets up `pre` only for actions of other repositories, so a local
// action's pre script never runs there; gauntlet does the same, and says so.
TEST_F(GhaCommandsTest, ALocalActionsPreScriptIsNotRunAsOnGitHub) {
  EXPECT_THAT(log_, HasSubstr("main ran with kept-for-post\n"));
  EXPECT_THAT(log_, Not(HasSubstr("pre ran")));
  auto validate = ws_.Run({"validate", ".github/workflows/commands.yml"});
  EXPECT_EQ(validate.code, 0) << validate.err;
  EXPECT_THAT(validate.err, HasSubstr("actions/stateful/action.yml:11:3"));
  EXPECT_THAT(validate.err, HasSubstr("'pre' of a local action is not run, as on GitHub"));
}

}  // namespace
}  // namespace gauntlet
