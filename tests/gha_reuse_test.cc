// Reusable workflows and the built-in actions/cache and artifact actions
// (docs/github-actions.md), end to end: workflow files of tests/fixtures/gha laid out in
// a workspace as in a repository, validated, planned and run by the real binary with
// real bash, tar and git. Cost: four runs of small jobs, a plan, a validate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::Workspace;

// The fixtures of reusable workflows, laid out as in a repository.
void InstallCalls(Workspace& ws) {
  for (const char* name :
       {"reusable.yml", "reusable_build.yml", "reusable_leaf.yml", "reusable_errors.yml",
        "reusable_broken.yml", "cache_artifacts.yml", "checkout.yml"}) {
    const auto fixture =
        std::filesystem::path(GAUNTLET_SOURCE_DIR) / "tests" / "fixtures" / "gha" / name;
    ws.Write(std::string(".github/workflows/") + name, ReadFile(fixture));
  }
}

std::string Log(Workspace& ws, const std::string& job) {
  auto r = ws.Run({"logs", job});
  EXPECT_EQ(r.code, 0) << job << r.err;
  return r.out;
}

TEST(GhaReuseTest, CalledWorkflowsRunAsJobsOfTheCaller) {
  Workspace ws;
  InstallCalls(ws);
  const std::string file = ".github/workflows/reusable.yml";
  auto p = ws.Run({"plan", file, "--json"});
  ASSERT_EQ(p.code, 0) << p.out << p.err;
  std::vector<std::string> names;
  const nlohmann::json plan = testing::JsonOut(p);  // kept: the loop reads into it
  for (const auto& job : plan["jobs"]) names.push_back(job["name"]);
  for (const char* name : {"build / compile", "build / test", "build / nested / leaf",
                           "build / nested", "build", "inherited / nested / leaf"})
    EXPECT_THAT(names, ::testing::Contains(std::string(name)));
  // A called job starts after the caller's needs; the caller's job after its called jobs.
  auto index = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  EXPECT_LT(index("prepare"), index("build / compile"));
  EXPECT_LT(index("build / nested / leaf"), index("build"));
  EXPECT_LT(index("build"), index("report"));

  ws.Write("secrets.env", "DEPLOY_TOKEN=abc-deploy-123\ntoken=inherited-tok-456\n");
  auto r = ws.Run({"run", file, "--json", "--secrets-file", "secrets.env"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["build / nested / leaf"], "success");
  EXPECT_EQ(statuses["skipped / compile"], "skipped");  // the caller's if: is false
  EXPECT_EQ(statuses["skipped"], "skipped");
  // Typed inputs from with: (a needs output, literals) and defaults; a named secret and
  // an inherited one; the called workflow's env.
  std::string compile = Log(ws, "build / compile");
  EXPECT_THAT(compile,
              HasSubstr("version=1.2.3 debug=true count=3 typed=true env=from-called\n"));
  EXPECT_THAT(compile, HasSubstr("token-length=14 job=compile\n"));
  EXPECT_THAT(compile, Not(HasSubstr("abc-deploy-123")));
  std::string inherited = Log(ws, "inherited / compile");
  EXPECT_THAT(inherited, HasSubstr("version=plain debug=false count=1 typed=false"));
  EXPECT_THAT(inherited, HasSubstr("token-length=17 job=compile\n"));
  EXPECT_THAT(Log(ws, "build / test"), HasSubstr("testing app-1.2.3\n"));
  // on.workflow_call.outputs, through two levels of calls.
  std::string report = Log(ws, "report");
  EXPECT_THAT(report, HasSubstr("artifact=app-1.2.3 result=success\n"));
  EXPECT_THAT(report, HasSubstr("deep=leaf-of-app-plain\n"));
}

TEST(GhaReuseTest, MistakesInCallsAreReportedWhereTheyAre) {
  Workspace ws;
  InstallCalls(ws);
  auto v = ws.Run({"validate", ".github/workflows/reusable_errors.yml", "--json"});
  EXPECT_EQ(v.code, 1) << "invalid (docs/cli.md), not an internal error";
  std::vector<std::string> got;
  const nlohmann::json problems = testing::JsonOut(v)["problems"];
  for (const auto& p : problems)
    got.push_back(fmt::format("{}:{}:{} {}",
                              std::filesystem::path(p["file"].get<std::string>()).filename().string(),
                              p["line"].get<int>(), p["col"].get<int>(),
                              p["message"].get<std::string>()));
  std::sort(got.begin(), got.end());
  const std::string build = " of ./.github/workflows/reusable_build.yml";
  std::vector<std::string> expected = {
      // The called file's own mistake, in that file.
      "reusable_broken.yml:7:23 'undeclared' is not an input of this workflow",
      "reusable_errors.yml:10:14 input 'debug'" + build + " is a boolean",
      "reusable_errors.yml:10:7 input 'version'" + build + " is required",
      "reusable_errors.yml:11:7 'colour' is not an input" + build,
      "reusable_errors.yml:13:11 ./.github/workflows/reusable.yml cannot be called: its on: has "
      "no workflow_call",
      "reusable_errors.yml:15:5 job 'matrix': a matrix of reusable workflow calls is not "
      "supported yet",
      "reusable_errors.yml:18:15 'nope' is not a secret of ./.github/workflows/reusable_leaf.yml",
      "reusable_errors.yml:6:11 'uses: octo/repo/.github/workflows/reusable_build.yml@v1': only "
      "reusable workflows of this repository are supported",
  };
  EXPECT_EQ(got, expected) << v.out;
}

// A cache is restored by its key or a restore-keys prefix and saved when the job
// succeeded and the key missed; artifacts go from one job of a run to a later one.
TEST(GhaBuiltinActionsTest, CacheAndArtifactsAsGitHubKeepsThem) {
  Workspace ws;
  InstallCalls(ws);
  const std::string file = ".github/workflows/cache_artifacts.yml";
  ws.Write("lock.txt", "v1\n");
  auto first = ws.Run({"run", file, "--json"});
  EXPECT_EQ(first.code, 1) << first.out << first.err;  // `failing` fails on purpose
  auto statuses = testing::JobStatuses(first);
  EXPECT_EQ(statuses["produce"], "success");
  EXPECT_EQ(statuses["consume"], "success");
  std::string produce = Log(ws, "produce");
  EXPECT_THAT(produce, HasSubstr("deps hit=false fixed hit=false\ndeps built\n"));
  EXPECT_THAT(produce, HasSubstr("upload-artifact: wheels: 2 files\n"));
  EXPECT_THAT(produce, HasSubstr("No files were found with the provided path: nothing-here/*"));
  EXPECT_THAT(produce, HasSubstr("actions/cache: saved key fixed-key\n"));
  std::string consume = Log(ws, "consume");
  EXPECT_THAT(consume, HasSubstr("got/app.whl\ngot/sub/lib.whl\n"));  // the root is dist/
  EXPECT_THAT(consume, HasSubstr("this run has no artifact named nope (it has: wheels )"));
  EXPECT_THAT(consume, HasSubstr("missing=failure\n"));
  // actions/cache/restore never saves; actions/cache/save saves at its step, though the
  // job fails after it.
  EXPECT_THAT(produce, HasSubstr("split hit=false primary=split-restore-only\n"));
  EXPECT_THAT(produce, Not(HasSubstr("saved key split-restore-only")));
  EXPECT_THAT(Log(ws, "failing"), Not(HasSubstr("saved key never-saved")));
  EXPECT_THAT(Log(ws, "failing"), HasSubstr("actions/cache: saved key saved-by-step\n"));
  // `gauntlet artifacts` lists what the run's steps uploaded: wheels, not the empty upload.
  auto listed = ws.Run({"artifacts", "latest", "--json"});
  ASSERT_EQ(listed.code, 0) << listed.out << listed.err;
  const nlohmann::json uploaded = testing::JsonOut(listed)["uploaded"];
  ASSERT_EQ(uploaded.size(), 1u) << listed.out;
  EXPECT_EQ(uploaded[0]["name"], "wheels");
  EXPECT_EQ(uploaded[0]["files"], 2);
  EXPECT_EQ(uploaded[0]["bytes"], 4);  // "w\n" and "l\n"
  auto text = ws.Run({"artifacts", "latest"});
  EXPECT_THAT(text.out, ::testing::ContainsRegex("wheels +2 "));

  // Next run, a new lock file: the deps key misses and its prefix restores the old
  // entry; fixed-key hits; the failed job's key was never saved.
  std::filesystem::remove_all(ws.dir() / "deps");
  std::filesystem::remove_all(ws.dir() / "fixed");
  ws.Write("lock.txt", "v2\n");
  auto second = ws.Run({"run", file, "--json"});
  EXPECT_EQ(second.code, 1) << second.out << second.err;
  produce = Log(ws, "produce");
  EXPECT_THAT(produce, HasSubstr("deps hit=false fixed hit=true\ndeps restored: v1\n"));
  EXPECT_THAT(produce, HasSubstr("actions/cache: saved key deps-"));
  EXPECT_THAT(produce, Not(HasSubstr("saved key fixed-key")));
  EXPECT_THAT(Log(ws, "failing"), HasSubstr("actions/cache: no cache for key never-saved\n"));
  EXPECT_THAT(produce, HasSubstr("split hit=false primary=split-restore-only\n"));
  EXPECT_THAT(Log(ws, "failing"),
              HasSubstr("Unable to reserve cache with key saved-by-step, another job may be "
                        "creating this cache"));
}

// actions/checkout with path clones the run's repository beside the working tree: at a
// tag, and at the run's commit (committed files, not the working tree's edits).
TEST(GhaBuiltinActionsTest, CheckoutWithPathClonesARefIntoASubdirectory) {
  Workspace ws;
  const std::string git = "cd '" + ws.dir().string() +
                          "' && git -c user.name=a -c user.email=a@b.c -c init.defaultBranch=main ";
  ws.Write("version.txt", "1\n");
  ASSERT_EQ(std::system((git + "init -q && " + git + "add version.txt && " + git +
                         "commit -qm one && " + git + "tag v1").c_str()),
            0);
  ws.Write("version.txt", "2\n");
  ASSERT_EQ(std::system((git + "commit -qam two").c_str()), 0);
  ws.Write("version.txt", "3\n");  // not committed: the job's own working tree has it
  InstallCalls(ws);
  auto r = ws.Run({"run", ".github/workflows/checkout.yml", "--json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(Log(ws, "both"), HasSubstr("old=1 here=2 top=3\n"));
}

}  // namespace
}  // namespace gauntlet
