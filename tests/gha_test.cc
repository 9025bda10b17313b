// GitHub Actions workflow files (docs/github-actions.md), end to end: the corpus in
// tests/fixtures/gha is validated, planned and run by the real binary with real bash,
// in a temporary repository laid out as on GitHub (.github/workflows/).
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "spec/load.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::GhaFixture;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;


// Copies a fixture to .github/workflows/ of a new workspace; returns its relative path.
std::string Install(Workspace& ws, const std::string& name) {
  ws.Write(".github/workflows/" + name, ReadFile(GhaFixture(name)));
  return ".github/workflows/" + name;
}

TEST(GhaTest, TheCorpusLoadsWithItsExpectedProblems) {
  for (const char* good : {"ci.yml", "injection.yml", "shells.yml", "mask.yml", "timeouts.yml",
                           "step_expressions.yml", "act_divergences.yml", "local_actions.yml",
                           "cache_artifacts.yml", "checkout.yml", "strategy.yml",
                           "max_parallel.yml", "commands.yml", "concurrency.yml",
                           "concurrency_deploy.yml", "run_name.yml"}) {
    spec::LoadResult r = spec::LoadFile(GhaFixture(good).string());
    EXPECT_TRUE(r.ok()) << good << "\n" << r.problems.Format(r.source);
    EXPECT_TRUE(r.pipeline.workflow) << good;
  }
  // Every unsupported key is named at its line and column, errors and warnings alike.
  spec::LoadResult r = spec::LoadString(ReadFile(GhaFixture("unsupported.yml")), "unsupported.yml");
  std::vector<std::string> got;
  for (const spec::Problem& p : r.problems.all())
    got.push_back(fmt::format("{}:{} {}", p.loc.line, p.loc.col, p.message));
  std::sort(got.begin(), got.end());
  std::vector<std::string> expected = {
      "10:14 job 'windows' runs on 'windows-latest': gauntlet runs jobs on this Linux host, "
      "without virtual machines",
      "15:5 job 'db' uses 'services', which needs Docker",
      "19:15 'uses: actions/github-script@v7' is not supported",
      "22:23 no earlier step of this job has the id 'x'",
      "23:13 no earlier step of this job has the id 'x'",
      "24:37 no earlier step of this job has the id 'x'",
      "27:9 steps.* cannot be read here: only in a step's if, run, env, working-directory and "
      "name, and in job outputs",
      "30:15 no action.yml in ./no/such/action (looked in .)",
      "35:15 a matrix computed by an expression is not supported: gauntlet fixes a run's jobs "
      "when it starts (docs/github-actions.md)",
      "40:5 environment 'production' of job 'deploy' is not one of gauntlet's: the job runs "
      "without its protection rules (required reviewers, wait timer, deployment branches) and "
      "without its secrets and variables; its url is shown by gauntlet plan only",
      "41:18 concurrency has no group",
      "42:24 continue-on-error may read only the matrix here: gauntlet decides it for each "
      "combination when it plans the run",
      "4:5 on.push has both branches and branches-ignore",
      "5:3 gauntlet does not raise 'release' events",
      "6:1 'permissions' of the workflow is ignored",
  };
  EXPECT_EQ(got, expected) << r.problems.Format(r.source);
}

TEST(GhaTest, ValidateAndPlanAWorkflowFile) {
  Workspace ws;
  std::string file = Install(ws, "ci.yml");
  auto v = ws.Run({"validate", file});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  auto p = ws.Run({"plan", file, "--json"});
  ASSERT_EQ(p.code, 0) << p.out << p.err;
  std::vector<std::string> names;
  const nlohmann::json plan = testing::JsonOut(p);
  for (const auto& job : plan["jobs"]) names.push_back(job["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"build", "test (python=3.11)",
                                             "test (python=3.12, extra=yes)", "report"}));
}

std::string Logs(Workspace& ws, const std::string& job) {
  auto r = ws.Run({"logs", job});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.out;
}

// docs/cli.md: `--input` is repeated, once per input (it was refused the second time).
TEST(GhaTest, EachInputIsItsOwnInputFlag) {
  Workspace ws;
  ws.Write(".github/workflows/two.yml",
           "on:\n  workflow_dispatch:\n    inputs:\n      level: {type: string}\n"
           "      retries: {type: number, default: 1}\n"
           "jobs:\n  show:\n    runs-on: ubuntu-latest\n    steps:\n"
           "      - run: echo \"level=${{ inputs.level }} retries=${{ inputs.retries }}\"\n");
  auto r = ws.Run({"run", ".github/workflows/two.yml", "--input", "level=full", "--input",
                   "retries=5"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(Logs(ws, "show"), HasSubstr("level=full retries=5"));
}

TEST(GhaTest, StepsRunInOrderWithTheRunnersFilesAndConditions) {
  Workspace ws;
  std::string file = Install(ws, "ci.yml");
  auto r = ws.Run({"run", file, "--json", "--input", "level=full"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // `report` fails on purpose
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["build"], "success");
  EXPECT_EQ(statuses["test (python=3.11)"], "success");
  EXPECT_EQ(statuses["test (python=3.12, extra=yes)"], "success");
  EXPECT_EQ(statuses["report"], "failed");

  std::string build = Logs(ws, "build");
  EXPECT_THAT(build, HasSubstr("env=carried"));  // $GITHUB_ENV reaches the next step
  EXPECT_THAT(build, HasSubstr("tool-ran"));     // $GITHUB_PATH too
  EXPECT_THAT(build, HasSubstr("ci=true workspace-set=yes event=workflow_dispatch"));
  EXPECT_THAT(build, HasSubstr("greeting=hello level=full"));
  EXPECT_THAT(build, HasSubstr("## Summary"));
  EXPECT_THAT(build, HasSubstr("run=1.2.3 env=1.2.3 outcome=success"));
  EXPECT_THAT(build, ::testing::ContainsRegex("hash=[0-9a-f]{64} none=\\[\\]"));
  // ::set-output sets the output, and says it is deprecated as GitHub's runner does.
  EXPECT_THAT(build, HasSubstr("legacy=50% done"));
  EXPECT_THAT(build, HasSubstr("::warning::The `set-output` command is deprecated"));

  // Job outputs from a step's $GITHUB_OUTPUT, multi-line ones included.
  std::string test = Logs(ws, "test (python=3.12, extra=yes)");
  EXPECT_THAT(test, HasSubstr("python 3.12 extra=yes version=1.2.3"));
  EXPECT_THAT(test, HasSubstr("exit code 3 (continue-on-error)"));
  EXPECT_THAT(test, HasSubstr("still-running outcome=failure conclusion=success"));

  // bash -e stops the step at `false`; later steps run only when their if: says so.
  std::string report = Logs(ws, "report");
  EXPECT_THAT(report, HasSubstr("before"));
  EXPECT_THAT(report, Not(HasSubstr("never printed")));
  EXPECT_THAT(report, Not(HasSubstr("SHOULD-NOT-RUN")));
  EXPECT_THAT(report, HasSubstr("cleanup-after-failure notes=line one\nline two"));
  EXPECT_THAT(report, HasSubstr("always-ran"));
  // In the file's order: a failure() or always() step is not run in a pass of its own.
  auto in_order = [](const std::string& log, std::vector<std::string> marks) {
    size_t at = 0;
    for (const std::string& m : marks) {
      const size_t found = log.find(m, at);
      if (found == std::string::npos) return "'" + m + "' missing or out of order";
      at = found + m.size();
    }
    return std::string();
  };
  EXPECT_EQ(in_order(report, {"before", "cleanup-after-failure", "always-ran"}), "") << report;
  EXPECT_EQ(in_order(test, {"python 3.12 extra=yes", "exit code 3 (continue-on-error)",
                            "still-running outcome=failure"}),
            "")
      << test;

  // ::error file=,line=,col=:: is a diagnostic of the failed job.
  auto diagnose = ws.Run({"diagnose", "--json"});
  EXPECT_THAT(diagnose.out, HasSubstr("\"file\": \"src/app.py\""));
  EXPECT_THAT(diagnose.out, HasSubstr("\"message\": \"boom\""));
}

TEST(GhaTest, StepShellsWorkingDirectoriesAndTheHostsToolchain) {
  Workspace ws;
  std::string file = Install(ws, "shells.yml");
  auto r = ws.Run({"run", file, "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // wrong-python fails on purpose
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["shells (word=alpha)"], "success");  // a failure does not stop it
  EXPECT_EQ(statuses["host-python"], "success");
  EXPECT_EQ(statuses["wrong-python"], "failed");

  std::string shells = Logs(ws, "shells (word=alpha)");
  EXPECT_THAT(shells, HasSubstr("sh in-sub alpha\n"));
  EXPECT_THAT(shells, HasSubstr("python in-sub workflow_dispatch alpha\n"));
  EXPECT_THAT(shells, HasSubstr("perl ok\n"));
  EXPECT_THAT(shells, Not(HasSubstr("NOT REACHED")));
  EXPECT_THAT(shells, HasSubstr("reached without pipefail"));
  EXPECT_THAT(shells, HasSubstr("at the top"));
  EXPECT_THAT(Logs(ws, "host-python"), HasSubstr("py-ok"));
  EXPECT_THAT(Logs(ws, "wrong-python"),
              HasSubstr("actions/setup-python wants python3 2.7, this host has 3."));
}

// GitHub pastes ${{ github.head_ref }} into the script, so a branch named
// `$(touch pwned)` runs a command there; gauntlet passes it as data.
TEST(GhaTest, HostileEventValuesStayData) {
  Workspace ws;
  std::string file = Install(ws, "injection.yml");
  const std::string ref = "x$(touch${IFS}pwned-ref)`touch pwned-tick`";
  const std::string message = "fix'; touch pwned-message; echo '";
  nlohmann::json payload = {
      {"pull_request", {{"head", {{"ref", ref}}}, {"title", "\"; touch pwned-title; \""}}},
      {"head_commit", {{"message", message}}}};
  ws.Write("event.json", payload.dump());
  auto r = ws.Run({"run", file, "--event", "pull_request", "--event-payload", "event.json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  for (const char* f : {"pwned", "pwned-ref", "pwned-tick", "pwned-message", "pwned-title",
                        "pwned-step", "pwned-step2"})
    EXPECT_FALSE(fs::exists(ws.dir() / f)) << f;
  std::string log = Logs(ws, "echo");
  EXPECT_THAT(log, HasSubstr("head ref: " + ref + "\n"));
  EXPECT_THAT(log, HasSubstr("head ref bare: " + ref + "\n"));
  EXPECT_THAT(log, HasSubstr("message: " + message + "\n"));
  EXPECT_THAT(log, HasSubstr("step output: $(touch pwned-step)`touch pwned-step2`\n"));
}

// A step's ::add-mask:: value is masked on every path after the command: the job's log
// and terminal output (also in a later step and the step summary), the job outputs
// stored and passed to the next job, the diagnostics.
TEST(GhaTest, AddMaskHidesAValueFromTheCommandOn) {
  Workspace ws;
  std::string file = Install(ws, "mask.yml");
  const std::string secret = "hunter2-very-secret";
  auto r = ws.Run({"run", file, "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // `mask` fails on purpose, after its ::error
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(secret)));
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["mask"], "failed");
  EXPECT_EQ(statuses["share"], "success");
  EXPECT_EQ(statuses["after"], "success");

  std::string log = Logs(ws, "mask");
  EXPECT_THAT(log, Not(HasSubstr(secret)));
  EXPECT_THAT(log, HasSubstr("::add-mask::***\n"));
  EXPECT_THAT(log, HasSubstr("same step: ***\n"));
  EXPECT_THAT(log, HasSubstr("later step: ***\n"));
  EXPECT_THAT(log, HasSubstr("in the summary: ***\n"));
  std::string after = Logs(ws, "after");
  EXPECT_THAT(after, HasSubstr("from needs: ***\n"));
  auto terminal = ws.Run({"run", file});
  EXPECT_THAT(terminal.out + terminal.err, Not(HasSubstr(secret)));
  EXPECT_THAT(terminal.out + terminal.err, HasSubstr("same step: ***"));
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"logs", "mask", "--json"},
        {"diagnose", "--json"},
        {"runs", "--json"},
        {"status", "--json"}}) {
    auto c = ws.Run(command);
    EXPECT_THAT(c.out + c.err, Not(HasSubstr(secret))) << command[0];
  }
  EXPECT_THAT(ws.Run({"diagnose", "--json"}).out, HasSubstr("failed with ***"));
}

// A step's timeout-minutes stops that step (and what it started) and fails it; the
// job's own timeout (360 minutes) is far away.
TEST(GhaTest, AStepsTimeoutStopsTheStep) {
  Workspace ws;
  std::string file = Install(ws, "timeouts.yml");
  auto r = ws.Run({"run", file, "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["tolerated"], "success");
  EXPECT_EQ(statuses["stuck"], "failed");
  std::string tolerated = Logs(ws, "tolerated");
  EXPECT_THAT(tolerated, HasSubstr("quick done\n"));
  EXPECT_THAT(tolerated, HasSubstr("slow started\n"));
  EXPECT_THAT(tolerated, HasSubstr("gauntlet: step Too slow timed out after 0.01 minutes\n"));
  EXPECT_THAT(tolerated, Not(HasSubstr("NOT REACHED")));
  EXPECT_THAT(tolerated, HasSubstr("after outcome=failure conclusion=success\n"));
  std::string stuck = Logs(ws, "stuck");
  EXPECT_THAT(stuck, HasSubstr("step Hangs timed out after 0.01 minutes"));
  EXPECT_THAT(stuck, Not(HasSubstr("SHOULD-NOT-RUN")));
}

// steps.* in a step's if: and in larger expressions, evaluated when the step is reached.
TEST(GhaTest, StepExpressionsAreEvaluatedWhenTheStepIsReached) {
  Workspace ws;
  std::string file = Install(ws, "step_expressions.yml");
  auto r = ws.Run({"run", file, "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // `cleanup` fails on purpose
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["decide"], "success");
  EXPECT_EQ(statuses["cleanup"], "failed");
  EXPECT_EQ(statuses["read"], "success");

  std::string decide = Logs(ws, "decide");
  EXPECT_THAT(decide, HasSubstr("matched hello\n"));
  EXPECT_THAT(decide, Not(HasSubstr("SHOULD-NOT-RUN-1")));
  EXPECT_THAT(decide, HasSubstr("flaky failed but was tolerated\n"));
  EXPECT_THAT(decide, HasSubstr("joined=hello-0 has=true\n"));
  EXPECT_THAT(decide, HasSubstr("inline=<hello> event=success/workflow_dispatch\n"));
  EXPECT_THAT(decide, HasSubstr("env=hello hi carried\n"));
  EXPECT_THAT(decide, HasSubstr("hostile=[$(touch pwned-defer)`touch pwned-defer2`]\n"));
  for (const char* f : {"pwned-defer", "pwned-defer2"}) EXPECT_FALSE(fs::exists(ws.dir() / f)) << f;

  std::string cleanup = Logs(ws, "cleanup");
  EXPECT_THAT(cleanup, HasSubstr("cleanup after failure\n"));
  EXPECT_THAT(cleanup, Not(HasSubstr("SHOULD-NOT-RUN-2")));
  EXPECT_THAT(Logs(ws, "read"), HasSubstr("shout=hello! is-hello=yes\n"));
}

// The places where act and GitHub differ: gauntlet gives GitHub's documented results.
TEST(GhaTest, WhereActDivergesGauntletDoesWhatGitHubDoes) {
  Workspace ws;
  std::string file = Install(ws, "act_divergences.yml");
  ws.Write("src/app.py", "print('app')\n");
  ws.Write("src/lib/util.py", "X = 1\n");
  ws.Write("src/lib/test_util.py", "def test(): pass\n");
  // GitHub's documented expansion of its include example, in its order.
  auto p = ws.Run({"plan", file, "--json"});
  ASSERT_EQ(p.code, 0) << p.out << p.err;
  std::vector<std::string> fruit;
  const nlohmann::json plan = testing::JsonOut(p);
  for (const auto& job : plan["jobs"])
    if (job["name"].get<std::string>().rfind("fruit", 0) == 0) fruit.push_back(job["name"]);
  EXPECT_EQ(fruit, (std::vector<std::string>{
                       "fruit (fruit=apple, animal=cat, color=pink, shape=circle)",
                       "fruit (fruit=apple, animal=dog, color=green, shape=circle)",
                       "fruit (fruit=pear, animal=cat, color=pink)",
                       "fruit (fruit=pear, animal=dog, color=green)",
                       "fruit (fruit=banana)",
                       "fruit (fruit=banana, animal=cat)",
                   }));

  auto r = ws.Run({"run", file, "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(Logs(ws, "fruit (fruit=pear, animal=cat, color=pink)"),
              HasSubstr("combination fruit=pear animal=cat color=pink shape=\n"));
  EXPECT_THAT(Logs(ws, "fruit (fruit=apple, animal=dog, color=green, shape=circle)"),
              HasSubstr("combination fruit=apple animal=dog color=green shape=circle\n"));
  EXPECT_THAT(Logs(ws, "consume"), HasSubstr("merged v1var=v1 v2var=v2\n"));
  std::string hash = Logs(ws, "hash");
  EXPECT_THAT(hash, ::testing::ContainsRegex("got=[0-9a-f]{64}\n"));
  EXPECT_THAT(hash, HasSubstr("hashFiles matches GitHub's algorithm\n"));
}

// Local actions: a composite one (inputs with defaults, outputs, its own steps and
// conditions) and a JavaScript one run with the host's node.
TEST(GhaTest, LocalCompositeAndJavaScriptActionsRun) {
  Workspace ws;
  std::string file = Install(ws, "local_actions.yml");
  for (const char* f :
       {"actions/greet/action.yml", "actions/hello-js/action.yml", "actions/hello-js/index.js"})
    ws.Write(f, ReadFile(GhaFixture(f)));
  auto v = ws.Run({"validate", file});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  auto r = ws.Run({"run", file, "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::string log = Logs(ws, "use (who=Ada)");
  EXPECT_THAT(log, HasSubstr("Hello, Ada\n"));
  EXPECT_THAT(log, HasSubstr("default greeting; action.yml is in the action path: yes\n"));
  // The second use: its own inputs, its own steps; the condition on the default is false.
  EXPECT_THAT(log, HasSubstr("Hi, workflow_dispatch$(touch pwned-action)\n"));
  EXPECT_EQ(log.find("action path: yes\n"), log.rfind("action path: yes\n"));
  EXPECT_FALSE(fs::exists(ws.dir() / "pwned-action"));
  EXPECT_THAT(log, Not(HasSubstr("NOBODY")));
  EXPECT_THAT(log, HasSubstr("hello Hello, Ada mine=custom\n"));
  EXPECT_THAT(log, HasSubstr("composite output: Hello, Ada\n"));
  EXPECT_THAT(log, HasSubstr("js output: hello Hello, Ada\n"));
}

// Realistic workflows (tests/fixtures/gha/projects/), written as popular projects write
// their CI and as a new user would from the docs only; each is a whole repository.
void InstallProject(Workspace& ws, const std::string& name) {
  fs::copy(GhaFixture("projects/" + name), ws.dir(), fs::copy_options::recursive);
}

bool OnPath(const std::string& program) {
  const char* path = getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  return false;
}

TEST(GhaTest, APythonPackagesMatrixWorkflowRuns) {
  if (!OnPath("python3")) GTEST_SKIP() << "no python3 on this host";
  Workspace ws;
  InstallProject(ws, "python");
  auto r = ws.Run({"run", ".github/workflows/ci.yml", "--event", "push", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["lint"], "success");
  EXPECT_EQ(statuses["test (os=ubuntu-latest, python-version=3.x, coverage=true)"], "success");
  EXPECT_THAT(Logs(ws, "test (os=ubuntu-latest, python-version=3.x, coverage=true)"),
              HasSubstr("test_add (test_calc.AddTest"));
  auto artifacts = ws.Run({"artifacts", "1", "--json"});
  EXPECT_THAT(artifacts.out, HasSubstr("test-output-3.x"));
}

TEST(GhaTest, ANodeProjectsWorkflowCachesBuildsAndHandsItsBuildOn) {
  if (!OnPath("node") || !OnPath("npm")) GTEST_SKIP() << "no node and npm on this host";
  Workspace ws;
  InstallProject(ws, "node");
  auto r = ws.Run({"run", ".github/workflows/ci.yml", "--event", "push", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string build = Logs(ws, "build (node-version=lts/*)");
  // The step's own env: is in its env context, as on GitHub (GitHub's own example).
  EXPECT_THAT(build, HasSubstr("actions/cache: saved key Linux-build-cache-node-modules-"));
  EXPECT_THAT(build, Not(HasSubstr("not a valid identifier")));
  EXPECT_THAT(build, HasSubstr("# pass 1"));
  EXPECT_THAT(Logs(ws, "smoke"), HasSubstr("42\n"));
}

TEST(GhaTest, AReleaseOnTagWorkflowPublishesOnlyForATag) {
  Workspace ws;
  InstallProject(ws, "release");
  ws.Write("tag.json", R"({"ref": "refs/tags/v1.2.3"})");
  auto tag = ws.Run({"run", ".github/workflows/release.yml", "--event", "push",
                     "--event-payload", "tag.json", "--json"});
  ASSERT_EQ(tag.code, 0) << tag.out << tag.err;
  EXPECT_EQ(testing::JobStatuses(tag)["publish"], "success");
  EXPECT_THAT(Logs(ws, "publish"), HasSubstr("Publishing v1.2.3\n"));
  EXPECT_THAT(Logs(ws, "publish"), HasSubstr("app-1.2.3.tar.gz: OK"));
  auto by_hand = ws.Run({"run", ".github/workflows/release.yml", "--json"});
  ASSERT_EQ(by_hand.code, 0) << by_hand.out << by_hand.err;
  EXPECT_EQ(testing::JobStatuses(by_hand)["publish"], "skipped");
}

}  // namespace
}  // namespace gauntlet
