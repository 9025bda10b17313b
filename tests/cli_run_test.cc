// End-to-end tests of `gauntlet run`, `--resume` and `retry` with real processes, a real
// SQLite store and real log files in a temp workspace. No sleeps: jobs report that they
// got somewhere by writing into a FIFO the test waits on with a deadline.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "store/log_store.h"
#include "store/sqlite_store.h"
#include "vcs/test_repo.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::Signal;
using testing::Workspace;

int CountLines(const std::filesystem::path& p) {
  std::string s = ReadFile(p);
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(CliRunTest, RunsAPipelineAndRecordsIt) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: demo
stages:
  - name: build
    jobs:
      - name: compile
        commands:
          - echo "version=2.0.1" >> "$GAUNTLET_OUTPUT"
          - echo compiled
  - name: test
    jobs:
      - name: unit
        matrix: { py: ["3.11", "3.12"] }
        run: echo "testing on ${{ matrix.py }} version ${{ needs.compile.outputs.version }}"
      - name: flaky
        run: '[ "$GAUNTLET_ATTEMPT" -ge 2 ]'
        retry: { attempts: 3 }
)YML");
  auto r = ws.Run({"run", "--json", "-j", "2"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "success");
  ASSERT_EQ(j["jobs"].size(), 4u);
  EXPECT_EQ(j["jobs"][0]["outputs"]["version"], "2.0.1");
  EXPECT_EQ(j["jobs"][1]["name"], "unit (py=3.11)");
  EXPECT_EQ(j["jobs"][2]["name"], "unit (py=3.12)");
  EXPECT_EQ(j["jobs"][3]["name"], "flaky");
  EXPECT_EQ(j["jobs"][3]["attempts"], 2);

  // The store and the log file hold the run.
  auto st = store::SqliteStore::Open((ws.dir() / ".gauntlet/state.db").string());
  ASSERT_TRUE(st.ok());
  auto run = (*st)->GetRun(j["run"].get<int64_t>());
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->status, store::RunStatus::kSuccess);
  auto jobs = (*st)->GetJobs((*run)->id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 4u);
  EXPECT_EQ((*jobs)[3].attempts, 2);
  store::LogReader logs((ws.dir() / ".gauntlet/logs").string());
  auto unit = logs.ReadJob((*run)->id, 1, std::nullopt);
  ASSERT_TRUE(unit.ok());
  EXPECT_EQ(*unit, "testing on 3.11 version 2.0.1\n");
  auto other = logs.ReadJob((*run)->id, 2, std::nullopt);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, "testing on 3.12 version 2.0.1\n");
}

// The commit, branch and trailers are read on a thread while the first jobs start;
// they reach the run record, and `branch` in an `if:` waits for them.
TEST(CliRunTest, RecordsTheCommitAndResolvesTheBranchOfAGitWorkspace) {
  Workspace ws;
  vcs::TestRepo repo(ws.dir().string());
  ws.Write("gauntlet.yml", R"YML(name: git
jobs:
  first: { run: "true" }
  on-main: { if: "branch == 'main'", run: echo on-main }
  elsewhere: { if: "branch != 'main'", run: echo elsewhere }
)YML");
  ws.Write(".gitignore", ".gauntlet/\n");
  const std::string commit = repo.Commit("ci: add the pipeline\n\nTask-ID: 77\n");
  auto r = ws.Run({"run", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["commit"], commit);
  EXPECT_EQ(j["branch"], "main");
  auto status = testing::JobStatuses(r);
  EXPECT_EQ(status["on-main"], "success");
  EXPECT_EQ(status["elsewhere"], "skipped");

  auto s = ws.Run({"status", "--json"});
  ASSERT_EQ(s.code, 0) << s.err;
  auto st = nlohmann::json::parse(s.out);
  EXPECT_EQ(st["git"]["commit"], commit);
  EXPECT_EQ(st["git"]["branch"], "main");
  EXPECT_EQ(st["git"]["subject"], "ci: add the pipeline");
  ASSERT_EQ(st["git"]["trailers"].size(), 1u) << st["git"].dump();
  EXPECT_EQ(st["git"]["trailers"][0]["key"], "Task-ID");
  EXPECT_EQ(st["git"]["trailers"][0]["value"], "77");
}

TEST(CliRunTest, FailureRunsCleanupJobsAndExitsOne) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: failing
jobs:
  build: { run: "echo broken >&2; exit 3" }
  test: { run: "echo never", needs: [build] }
  cleanup: { run: "echo cleaning up", needs: [build], if: "failure()" }
)YML");
  auto r = ws.Run({"run", "--json"});
  EXPECT_EQ(r.code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["jobs"][0]["status"], "failed");
  EXPECT_EQ(j["jobs"][1]["status"], "skipped");
  EXPECT_EQ(j["jobs"][2]["status"], "success");
  // The failed job's log tail is shown in the terminal summary.
  EXPECT_THAT(r.err, HasSubstr("--- build: last 1 lines ---\nbroken\n"));
}

TEST(CliRunTest, InvalidPipelineExitsTwoWithLocatedErrors) {
  Workspace ws;
  ws.Write("gauntlet.yml", "jobs:\n  a: { run: x, need: [b] }\n");
  auto r = ws.Run({"run"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("gauntlet.yml:2:"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'needs'"));
  auto j = ws.Run({"run", "--json"});
  EXPECT_EQ(j.code, 2);
  auto out = nlohmann::json::parse(j.out);
  EXPECT_EQ(out["status"], "invalid");
  ASSERT_FALSE(out["problems"].empty());
  EXPECT_EQ(out["problems"][0]["line"], 2);
}

TEST(CliRunTest, SecretsAreMaskedInLogsAndOutputs) {
  Workspace ws;
  ws.Write("secrets.env", "API_TOKEN=hunter2-very-secret\n");
  ws.Write("gauntlet.yml", R"YML(name: secrets
jobs:
  use:
    secrets: [API_TOKEN]
    commands:
      - echo "token is $API_TOKEN"
      - printf 'hunter2-'; printf 'very-secret\n'
      - echo "leak=$API_TOKEN" >> "$GAUNTLET_OUTPUT"
)YML");
  auto r = ws.Run({"run", "--json", "-v", "--secrets-file", "secrets.env"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
  EXPECT_THAT(r.err, HasSubstr("token is ***"));
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["jobs"][0]["outputs"]["leak"], "***");
  store::LogReader logs((ws.dir() / ".gauntlet/logs").string());
  auto text = logs.ReadJob(j["run"].get<int64_t>(), 0, std::nullopt);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "token is ***\n***\n");
}

TEST(CliRunTest, KilledEngineResumesWithoutRerunningSucceededJobs) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: resumable
jobs:
  first:
    commands:
      - echo ran >> first.count
      - echo "v=42" >> "$GAUNTLET_OUTPUT"
  second:
    needs: [first]
    commands:
      - if [ -f go-on ]; then exit 0; fi
      - echo $$ > reached
      - exec cat blocker
  third:
    needs: [first, second]
    run: echo "got ${{ needs.first.outputs.v }}" > third.out
)YML");
  mkfifo((ws.dir() / "blocker").c_str(), 0600);  // `cat blocker` blocks: no writer
  pid_t engine = ws.Start({"run"});
  std::string pid = reached.Wait();
  ASSERT_FALSE(pid.empty()) << "the second job never started";
  ASSERT_EQ(kill(engine, SIGKILL), 0);
  auto killed = ws.Wait(engine);
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  // The orphaned job is still blocked; end it as a crashed machine would.
  kill(-std::stoi(pid), SIGKILL);

  ws.Write("go-on", "");
  auto r = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["run"], 1);  // the same run, continued
  EXPECT_EQ(j["jobs"][0]["resumed"], true);
  EXPECT_EQ(j["jobs"][1]["resumed"], false);
  EXPECT_EQ(CountLines(ws.dir() / "first.count"), 1);
  EXPECT_EQ(ReadFile(ws.dir() / "third.out"), "got 42\n");
  // Nothing left to resume now.
  EXPECT_EQ(ws.Run({"run", "--resume"}).code, 3);
}

TEST(CliRunTest, SigtermCancelsAndLeavesNoProcesses) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: cancellable
jobs:
  after: { run: "echo never", needs: [daemon] }
  daemon:
    commands:
)YML" + std::string(testing::kDaemonSteps));
  pid_t engine = ws.Start({"run", "--json"});
  testing::DaemonJob daemon;
  ASSERT_TRUE(daemon.Started(reached)) << "the job never started";
  ASSERT_EQ(kill(engine, SIGTERM), 0);
  auto r = ws.Wait(engine);
  EXPECT_EQ(r.code, 130) << r.err;
  EXPECT_TRUE(daemon.ShellExited(std::chrono::seconds(10))) << "the job's shell survived";
  EXPECT_TRUE(daemon.BackgroundExited(std::chrono::seconds(10)))
      << "the job's background process survived the cancel";
  auto status = testing::JobStatuses(r);
  EXPECT_EQ(testing::JsonOut(r)["status"], "cancelled");
  EXPECT_EQ(status["daemon"], "cancelled");
  EXPECT_EQ(status["after"], "cancelled");  // not started: cancelled, not skipped
}

TEST(CliRunTest, RetryRerunsOnlyFailedJobsAndTheirDependents) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: retryable
jobs:
  base:
    commands:
      - echo ran >> base.count
      - echo "sha=abc" >> "$GAUNTLET_OUTPUT"
  other: { run: "echo ran >> other.count" }
  check: { run: "[ -f fixed ]", needs: [base] }
  report: { run: "echo ${{ needs.base.outputs.sha }} > report.out", needs: [check, base] }
)YML");
  auto first = ws.Run({"run", "-j", "1"});
  ASSERT_EQ(first.code, 1) << first.err;
  ws.Write("fixed", "");
  auto r = ws.Run({"retry", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["run"], 2);
  EXPECT_EQ(CountLines(ws.dir() / "base.count"), 1);
  EXPECT_EQ(CountLines(ws.dir() / "other.count"), 1);
  EXPECT_EQ(ReadFile(ws.dir() / "report.out"), "abc\n");
  auto none = ws.Run({"retry"});  // run 2 is green: nothing left to retry
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_THAT(none.out, HasSubstr("run 2 has nothing to retry: every job succeeded"));
  EXPECT_EQ(CountLines(ws.dir() / "base.count"), 1);
  EXPECT_EQ(CountLines(ws.dir() / "other.count"), 1);
  auto runs = nlohmann::json::parse(ws.Run({"runs", "--json"}).out);
  EXPECT_EQ(runs.size(), 2u) << "a retry of a green run started a run";
}

TEST(CliRunTest, OnlyRunsTheNamedJobsAndWhatTheyNeed) {
  Workspace ws;
  ws.Write("gauntlet.yml", R"YML(name: selective
jobs:
  a: { run: "echo a >> ran" }
  b: { run: "echo b >> ran", needs: [a] }
  c: { run: "echo c >> ran" }
)YML");
  auto r = ws.Run({"run", "--only", "b", "-j", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(ws.dir() / "ran"), "a\nb\n");
  auto bad = ws.Run({"run", "--only", "bb"});
  EXPECT_EQ(bad.code, 3);
  EXPECT_THAT(bad.err, HasSubstr("did you mean 'b'"));
}

}  // namespace
}  // namespace gauntlet
