// End-to-end: `gauntlet run` then `gauntlet gate` and `gauntlet trust` through the
// real binary, in a real git repository, with an author's earlier history
// inserted into the real store. One verdict and exit code per step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_test_util.h"
#include "store/sqlite_store.h"
#include "vcs/range.h"
#include "vcs/test_repo.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int64_t kT0 = 1'700'000'000'000;

class CliGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.Write(".gitignore", ".gauntlet/\n.stdout*\n.stderr*\n");
    ws_.Write("gauntlet.yml",
              "name: app\n"
              "jobs:\n"
              "  check:\n"
              "    run: test ! -e BROKEN\n");
    ws_.Write("src/app.c", "int main(void) { return 0; }\n");
    repo_.Commit("initial", "Ada", "ada@example.com");
    // Ada's history: 20 changes merged on main (L1).
    auto s = store::SqliteStore::Open((ws_.dir() / ".gauntlet/state.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    for (int i = 0; i < 20; ++i) {
      store::RunRecord r;
      r.pipeline = "app";
      r.file = "gauntlet.yml";
      r.status = store::RunStatus::kSuccess;
      r.started_ms = kT0 + i * 1000;
      r.finished_ms = r.started_ms + 500;
      r.git_commit = "past" + std::to_string(i);
      r.git_branch = "main";
      r.author_name = "Ada";
      r.author_email = "ada@example.com";
      ASSERT_TRUE((*s)->CreateRun(r).ok());
    }
    repo_.Branch("feature");
  }

  // Commits, runs the pipeline, and gates the branch.
  testing::Output CommitRunGate(const std::string& message, const std::string& email,
                                int expected_run_code, bool json = true) {
    repo_.Commit(message, email.substr(0, email.find('@')), email);
    testing::Output run = ws_.Run({"run"});
    EXPECT_EQ(run.code, expected_run_code) << run.out << run.err;
    std::vector<std::string> args = {"gate"};
    if (json) args.push_back("--json");
    return ws_.Run(args);
  }

  static Json Parse(const testing::Output& o) {
    Json j = Json::parse(o.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << o.out << o.err;
    return j;
  }

  testing::Workspace ws_;
  vcs::TestRepo repo_{ws_.dir().string()};
};

TEST_F(CliGateTest, VerdictsAndExitCodesAlongABranch) {
  // A docs change by an L1 author: auto-merge, exit 0.
  ws_.Write("README.md", "# app\n");
  testing::Output docs = CommitRunGate("docs: readme", "ada@example.com", 0);
  EXPECT_EQ(docs.code, 0) << docs.out << docs.err;
  Json j = Parse(docs);
  EXPECT_EQ(j["decision"], "auto-merge");
  EXPECT_EQ(j["risk"]["class"], "low");
  EXPECT_EQ(j["trust"]["level"], "L1");
  EXPECT_EQ(j["change"]["files"][0]["path"], "README.md");

  // Then an agent touches auth code: high risk beyond L1, needs-approval, exit 10.
  ws_.Write("src/auth/token.c", "int ok(void) { return 1; }\n");
  testing::Output auth = CommitRunGate(
      "auth: tokens\n\nAgent-By: claude-code\nTask-ID: GA-3\nModel: opus\n", "ada@example.com", 0);
  EXPECT_EQ(auth.code, 10) << auth.out << auth.err;
  j = Parse(auth);
  EXPECT_EQ(j["decision"], "needs-approval");
  EXPECT_EQ(j["identity"]["agent_by"], "claude-code");
  EXPECT_EQ(j["identity"]["task_id"], "GA-3");
  EXPECT_EQ(j["risk"]["class"], "high");
  EXPECT_EQ(j["reasons"][0], "high risk is beyond L1 (may merge up to low alone)");
  bool risk_check = false;
  for (const auto& c : j["checks"]) {
    if (c["name"] == "risk") {
      risk_check = true;
      EXPECT_EQ(c["status"], "needs-approval");
      EXPECT_EQ(c["value"]["risk"], "high");
      EXPECT_EQ(c["threshold"], "low");
    }
  }
  EXPECT_TRUE(risk_check);

  // Then a commit that breaks the job: reject, exit 11, the failed job named.
  ws_.Write("BROKEN", "x\n");
  testing::Output broken = CommitRunGate("oops", "ada@example.com", 1, /*json=*/false);
  EXPECT_EQ(broken.code, 11) << broken.out << broken.err;
  EXPECT_THAT(broken.out, HasSubstr("gate: reject"));
  EXPECT_THAT(broken.out, HasSubstr("check (failed)"));
  EXPECT_THAT(broken.out, HasSubstr("gauntlet diagnose"));
  testing::Output again = ws_.Run({"gate", "--json"});
  EXPECT_EQ(again.code, 11);
  j = Parse(again);
  EXPECT_EQ(j["failed_jobs"][0]["name"], "check");
  EXPECT_THAT(j["next"].get<std::string>(), HasSubstr("gauntlet diagnose"));

  // The earlier green run of the docs commit, named with --run, against its own base.
  testing::Output first = ws_.Run({"gate", "--run", "21", "--head", "HEAD~2", "--json"});
  EXPECT_EQ(first.code, 0) << first.out << first.err;
}

TEST_F(CliGateTest, NewAuthorNeedsApprovalAndTrustCommandShowsLevels) {
  ws_.Write("README.md", "# app\n");
  testing::Output o = CommitRunGate("docs", "newcomer@example.com", 0, /*json=*/false);
  EXPECT_EQ(o.code, 10) << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr("gate: needs-approval"));
  EXPECT_THAT(o.out, HasSubstr("author at L0"));
  // The level first, as on every other line that names one.
  EXPECT_THAT(o.out, HasSubstr("trust   newcomer@example.com: L0 (new: no change merged yet)"));

  testing::Output all = ws_.Run({"trust", "--json"});
  ASSERT_EQ(all.code, 0) << all.err;
  Json list = Parse(all);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["author"], "ada@example.com");
  EXPECT_EQ(list[0]["level"], "L1");
  EXPECT_EQ(list[0]["merged"], 20);
  EXPECT_EQ(list[1]["level"], "L0");

  testing::Output ada = ws_.Run({"trust", "ada@example.com", "--json"});
  ASSERT_EQ(ada.code, 0) << ada.err;
  Json one = Parse(ada);
  EXPECT_EQ(one["repository"], "app");
  ASSERT_EQ(one["changes"].size(), 1u);
  EXPECT_EQ(one["changes"][0]["to"], "L1");
  EXPECT_THAT(one["changes"][0]["reason"].get<std::string>(), HasSubstr("promoted to L1"));
  testing::Output human = ws_.Run({"trust", "Ada"});
  EXPECT_EQ(human.code, 0);
  EXPECT_THAT(human.out, HasSubstr("ada@example.com in app: L1 (may merge low alone)"));
}

TEST_F(CliGateTest, RejectAttachesTheDiagnosticsOfTheFailedJob) {
  // The real gcc: an undeclared identifier on line 4, column 10.
  ws_.Write("gauntlet.yml",
            "name: app\n"
            "jobs:\n"
            "  compile:\n"
            "    run: gcc -c src/app.c -o /dev/null\n"
            "    diagnostics: gcc\n");
  ws_.Write("src/app.c",
            "int main(void) {\n"
            "  int unused = 0;\n"
            "  (void)unused;\n"
            "  return missing + 1;\n"
            "}\n");
  testing::Output o = CommitRunGate("break the build", "ada@example.com", 1);
  EXPECT_EQ(o.code, 11) << o.out << o.err;
  Json j = Parse(o);
  EXPECT_EQ(j["decision"], "reject");
  ASSERT_EQ(j["failed_jobs"].size(), 1u) << j.dump(2);
  const Json& job = j["failed_jobs"][0];
  EXPECT_EQ(job["name"], "compile");
  EXPECT_EQ(job["status"], "failed");
  EXPECT_EQ(job["exit"], "exit 1");
  EXPECT_EQ(job["category"], "build");
  EXPECT_EQ(job["parsers"], Json::array({"gcc"}));
  ASSERT_FALSE(job["diagnostics"].empty()) << job.dump(2);
  EXPECT_EQ(job["diagnostics"][0]["file"], "src/app.c");
  EXPECT_EQ(job["diagnostics"][0]["line"], 4);
  EXPECT_EQ(job["diagnostics"][0]["col"], 10);
  EXPECT_EQ(job["diagnostics"][0]["category"], "build");
  EXPECT_THAT(job["diagnostics"][0]["message"].get<std::string>(), HasSubstr("missing"));
  EXPECT_THAT(job["suggestion"].get<std::string>(), HasSubstr("src/app.c:4:10"));
  EXPECT_THAT(job["log_tail"].get<std::string>(), HasSubstr("undeclared"));

  testing::Output human = ws_.Run({"gate"});
  EXPECT_EQ(human.code, 11) << human.err;
  EXPECT_THAT(human.out, HasSubstr("compile (failed)"));
  EXPECT_THAT(human.out, HasSubstr("category build"));
  EXPECT_THAT(human.out, HasSubstr("src/app.c:4:10: "));
  EXPECT_THAT(human.out, HasSubstr("suggestion: fix the compile error in src/app.c:4:10"));
}

TEST_F(CliGateTest, RetryRunCarriesTheCoverageOfTheJobsItTakesOver) {
  ws_.Write("gauntlet.yml",
            "name: app\n"
            "gates:\n"
            "  coverage: { min_line: 70 }\n"
            "jobs:\n"
            "  unit:\n"
            "    run: cp cov.info.in lcov.info\n"
            "    reports: { coverage: lcov.info }\n"
            "  check:\n"
            "    needs: [unit]\n"
            "    run: test ! -e BROKEN\n");
  ws_.Write("cov.info.in", "TN:\nSF:src/app.c\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,0\nend_of_record\n");
  ws_.Write("BROKEN", "x\n");
  testing::Output first = CommitRunGate("coverage", "ada@example.com", 1);
  EXPECT_EQ(first.code, 11) << first.out << first.err;

  // Fixed in the work tree; `retry` runs `check` again and takes `unit` over.
  std::filesystem::remove(ws_.dir() / "BROKEN");
  std::filesystem::remove(ws_.dir() / "cov.info.in");  // `unit` must not run again
  testing::Output retry = ws_.Run({"retry", "--json"});
  ASSERT_EQ(retry.code, 0) << retry.out << retry.err;
  const int64_t id = Parse(retry)["run"].get<int64_t>();

  auto s = store::SqliteStore::Open((ws_.dir() / ".gauntlet/state.db").string());
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto reports = (*s)->GetReports(id);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].job_name, "unit");
  EXPECT_EQ((*reports)[0].kind, "coverage");
  auto metrics = (*s)->GetMetrics(id);
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ((*metrics)["coverage.line"], 75.0);

  testing::Output gate = ws_.Run({"gate", "--run", std::to_string(id), "--json"});
  Json j = Parse(gate);
  // Every check passes; the change touches gauntlet.yml (high risk): a person decides.
  EXPECT_EQ(gate.code, 10) << gate.out << gate.err;
  EXPECT_EQ(j["decision"], "needs-approval") << j["reasons"].dump();
  bool coverage_check = false, jobs_check = false;
  for (const auto& c : j["checks"]) {
    if (c["name"] == "coverage.line") {
      coverage_check = true;
      EXPECT_EQ(c["status"], "pass") << c.dump();
      EXPECT_DOUBLE_EQ(c["value"].get<double>(), 75.0) << c.dump();
    }
    if (c["name"] == "jobs") {
      jobs_check = true;
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
  }
  EXPECT_TRUE(coverage_check) << j["checks"].dump();
  EXPECT_TRUE(jobs_check) << j["checks"].dump();
}

TEST_F(CliGateTest, ADocsOnlyChangeThePipelineFilterSkipsIsJudgedByRiskAndTrust) {
  ws_.Write("gauntlet.yml",
            "name: app\n"
            "changes: { ignore: [\"**/*.md\"] }\n"
            "gates:\n"
            "  coverage: { min_line: 80 }\n"
            "  required: [check]\n"
            "jobs:\n"
            "  check:\n"
            "    run: test ! -e BROKEN\n"
            "    reports: { coverage: lcov.info }\n");
  repo_.Commit("a change filter", "Ada", "ada@example.com");
  ws_.Write("README.md", "# app\n");
  repo_.Commit("docs: readme", "Ada", "ada@example.com");
  testing::Output run = ws_.Run({"run", "--base", "HEAD~1"});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("skipped (no relevant changes"));

  testing::Output gate = ws_.Run({"gate", "--base", "HEAD~1", "--json"});
  EXPECT_EQ(gate.code, 0) << gate.out << gate.err;
  Json j = Parse(gate);
  EXPECT_EQ(j["decision"], "auto-merge") << j["reasons"].dump();
  EXPECT_EQ(j["run"]["status"], "skipped");
  EXPECT_EQ(j["risk"]["class"], "low");
  EXPECT_TRUE(j["failed_jobs"].empty());
  bool jobs_check = false, coverage_check = false;
  for (const auto& c : j["checks"]) {
    if (c["name"] == "jobs") {
      jobs_check = true;
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
    if (c["name"] == "coverage.line") {
      coverage_check = true;
      EXPECT_EQ(c["status"], "skipped") << c.dump();
    }
  }
  EXPECT_TRUE(jobs_check) << j["checks"].dump();
  EXPECT_TRUE(coverage_check) << j["checks"].dump();
  testing::Output diagnose = ws_.Run({"diagnose"});
  EXPECT_EQ(diagnose.code, 0) << diagnose.err;
  EXPECT_THAT(diagnose.out, HasSubstr("no job failed (the run was skipped: no relevant changes"));
  // The same skip for a change whose risk is beyond the author's trust still asks a person.
  ws_.Write("docs/auth/README.md", "# tokens\n");
  repo_.Commit("docs: auth", "Ada", "ada@example.com");
  ASSERT_EQ(ws_.Run({"run", "--base", "HEAD~1"}).code, 0);
  testing::Output high = ws_.Run({"gate", "--base", "HEAD~1"});
  EXPECT_EQ(high.code, 10) << high.out << high.err;
}

// A new user's repository has no .gitignore: gauntlet's state directories must keep
// themselves out of `git add -A`.
class CliGateStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.Write(".git/info/exclude", ".stdout*\n.stderr*\n");  // the test's own output files
    ws_.Write("gauntlet.yml", "name: app\njobs:\n  check:\n    run: \"true\"\n");
    repo_.Commit("initial");
  }

  // `dir` has gauntlet's .gitignore, and a commit of everything (as `git add -A` does)
  // next to a new README.md changes README.md alone.
  void ExpectKeptOutOfGit(const std::string& dir) {
    EXPECT_EQ(testing::ReadFile(ws_.dir() / dir / ".gitignore"),
              "# Created by gauntlet: its run history, logs and artifacts are not project "
              "files.\n*\n");
    ws_.Write("README.md", "# app\n");
    repo_.Commit("docs: readme");
    auto range = vcs::ReadRange(ws_.dir().string(), "HEAD~1");
    ASSERT_TRUE(range.ok()) << range.error().message;
    ASSERT_EQ(range->files.size(), 1u) << "only README.md, nothing of " << dir;
    EXPECT_EQ(range->files[0].path, "README.md");
  }

  testing::Workspace ws_;
  vcs::TestRepo repo_{ws_.dir().string()};
};

// And state an older version let be committed is not the change's.
TEST_F(CliGateStateTest, TheStateDirectoryIsIgnoredByGitAndByTheGate) {
  ASSERT_EQ(ws_.Run({"run"}).code, 0);
  ASSERT_NO_FATAL_FAILURE(ExpectKeptOutOfGit(".gauntlet"));

  // State committed before the .gitignore existed (forced here): not part of the change.
  ASSERT_EQ(ws_.Run({"run"}).code, 0);
  repo_.Stage(".gauntlet/state.db");
  ws_.Write("src/app.c", "int main(void) { return 0; }\n");
  repo_.Commit("code and state");
  ASSERT_EQ(ws_.Run({"run"}).code, 0);
  testing::Output gate = ws_.Run({"gate", "--base", "HEAD~1", "--json"});
  Json j = Json::parse(gate.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << gate.out << gate.err;
  ASSERT_EQ(j["change"]["files"].size(), 1u) << j["change"].dump(2);
  EXPECT_EQ(j["change"]["files"][0]["path"], "src/app.c");
}

// The server's state directory (token hashes, the queue) too, when `token create` or
// `serve` makes it in a repository.
TEST_F(CliGateStateTest, TheServersStateDirectoryIsIgnoredByGit) {
  ASSERT_EQ(ws_.Run({"token", "create", "--name", "bot", "--scope", "read"}).code, 0);
  ExpectKeptOutOfGit(".gauntlet-server");
}

TEST_F(CliGateTest, ErrorsHaveTheirOwnExitCodes) {
  ws_.Write("README.md", "# app\n");
  repo_.Commit("not run yet");
  testing::Output none = ws_.Run({"gate"});
  EXPECT_EQ(none.code, 3);
  EXPECT_THAT(none.err, HasSubstr("no run of pipeline 'app' for commit"));
  testing::Output bad = ws_.Run({"gate", "--base", "no-such-ref"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown revision 'no-such-ref'"));
  EXPECT_EQ(ws_.Run({"gate", "--run", "999"}).code, 3);
}

}  // namespace
}  // namespace gauntlet
