#include "gate/assess.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "gate/report_json.h"
#include "store/sqlite_store.h"
#include "vcs/test_repo.h"

namespace gauntlet::gate {
namespace {

constexpr int64_t kAssessT0 = 1'700'000'000'000;
constexpr int64_t kHour = 3600 * 1000;

// A real git repository and a real store: a history where Ada has merged 25
// changes (L1), then changes on a feature branch judged by Assess.
class AssessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-assess-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    state_ = tmpl;
    auto s = store::SqliteStore::Open(state_ + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    pipeline_.name = "webapp";
    store::Batch batch(*store_);
    for (int i = 0; i < 25; ++i) {
      AddRun("h" + std::to_string(i), "main", store::RunStatus::kSuccess, kAssessT0 + i * kHour);
    }
    ASSERT_TRUE(batch.Commit().ok());

    repo_.Write("src/app.c", "int main() {\n  return 0;\n}\n");
    repo_.Write("README.md", "app\n");
    repo_.Commit("initial", "Ada", "ada@example.com");
    repo_.Branch("feature");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(state_);
  }

  store::RunId AddRun(const std::string& commit, const std::string& branch, store::RunStatus status,
                      int64_t at, std::vector<store::Trailer> trailers = {}) {
    store::RunRecord r;
    r.pipeline = "webapp";
    r.file = "gauntlet.yml";
    r.status = status;
    r.started_ms = at;
    r.finished_ms = at + 1000;
    r.git_commit = commit;
    r.git_branch = branch;
    r.author_name = "Ada";
    r.author_email = "ada@example.com";
    r.trailers = std::move(trailers);
    auto id = store_->CreateRun(r);
    EXPECT_TRUE(id.ok());
    JobFinished(*id, 0, "build",
                status == store::RunStatus::kSuccess ? store::JobStatus::kSuccess
                                                     : store::JobStatus::kFailed);
    return *id;
  }
  void JobFinished(store::RunId run, int index, const std::string& name, store::JobStatus s,
                   const std::string& reason = "") {
    ASSERT_TRUE(store_->JobFinished(run, index, name, s, kAssessT0, {}, reason).ok());
  }

  Assessment Judge(std::optional<store::RunId> run = std::nullopt) {
    GateOptions opt;
    opt.repo_path = repo_.dir();
    opt.run = run;
    opt.now_ms = kAssessT0 + 1000 * kHour;
    AssessFailure failure;
    auto a = Assess(*store_, pipeline_, opt, &failure);
    EXPECT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(failure, AssessFailure::kNone);
    return a.ok() ? std::move(a).value() : Assessment{};
  }

  vcs::TestRepo repo_;
  std::string state_;
  std::unique_ptr<store::SqliteStore> store_;
  spec::Pipeline pipeline_;
};

TEST_F(AssessTest, DocsOnlyChangeByAnL1AuthorAutoMerges) {
  repo_.Write("README.md", "app\nmore words\n");
  std::string head = repo_.Commit("docs: explain", "Ada", "ada@example.com");
  store::RunId run = AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 100 * kHour);
  JobFinished(run, 1, "unit", store::JobStatus::kSkipped,
              "no relevant changes: 1 file changed, all match ignore");
  Assessment a = Judge();
  EXPECT_EQ(a.run.id, run);
  EXPECT_EQ(a.risk.risk, RiskClass::kLow);
  EXPECT_EQ(a.trust_level, TrustLevel::kL1);
  EXPECT_FALSE(a.identity.by_agent());
  EXPECT_EQ(a.verdict.decision, Decision::kAutoMerge) << a.verdict.reasons.front();
}

TEST_F(AssessTest, AgentChangeToAuthNeedsApproval) {
  repo_.Write("src/auth/token.c", "int check(void) { return 1; }\n");
  std::string head =
      repo_.Commit("auth: token check\n\nAgent-By: claude-code\nTask-ID: GA-9\nModel: opus\n",
                   "Ada", "ada@example.com");
  AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 100 * kHour);
  Assessment a = Judge();
  EXPECT_TRUE(a.identity.by_agent());
  EXPECT_EQ(a.identity.task_id, "GA-9");
  EXPECT_EQ(a.risk.risk, RiskClass::kHigh);
  EXPECT_EQ(a.verdict.decision, Decision::kNeedsApproval);
  EXPECT_EQ(a.verdict.reasons,
            std::vector<std::string>{"high risk is beyond L1 (may merge up to low alone)"});
}

TEST_F(AssessTest, FailedJobRejectsWithTestFailuresAttached) {
  repo_.Write("src/app.c", "int main() {\n  return 1;\n}\n");
  std::string head = repo_.Commit("break it", "Ada", "ada@example.com");
  store::RunId run = AddRun(head, "feature", store::RunStatus::kFailed, kAssessT0 + 100 * kHour);
  TestReport t;
  t.tests = 3;
  t.failures = 1;
  Diagnostic d;
  d.category = Category::kTest;
  d.file = "tests/app_test.c";
  d.line = 12;
  d.message = "expected 0, got 1";
  t.diagnostics.push_back(d);
  ASSERT_TRUE(store_->PutReport({run, 0, "build", "junit", ToJson(t).dump()}).ok());
  Assessment a = Judge();
  EXPECT_EQ(a.verdict.decision, Decision::kReject);
  ASSERT_EQ(a.verdict.failed_jobs.size(), 1u);
  EXPECT_EQ(a.verdict.failed_jobs[0].name, "build");
  ASSERT_TRUE(a.tests.has_value());
  EXPECT_EQ(a.tests->diagnostics[0].file, "tests/app_test.c");
}

TEST_F(AssessTest, NewCodeCoverageFromStoredReportAndTheDiff) {
  pipeline_.gates.new_code_line_coverage = 80;
  repo_.Write("src/app.c", "int main() {\n  int x = 1;\n  if (x) return 0;\n  return 0;\n}\n");
  std::string head = repo_.Commit("more logic", "Ada", "ada@example.com");
  store::RunId run = AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 100 * kHour);
  Coverage c;
  c.has_line_sets = true;
  FileCoverage f;
  f.file = "src/app.c";
  f.covered = {1, 2, 4};
  f.uncovered = {3};
  c.files.push_back(f);
  ASSERT_TRUE(store_->PutReport({run, 0, "build", "coverage", ToJson(c).dump()}).ok());
  Assessment a = Judge();
  // Lines 2 and 3 are new; 3 never ran: 50% < 80%.
  EXPECT_EQ(a.verdict.decision, Decision::kReject);
  const Check& nc = a.verdict.checks[3];
  ASSERT_EQ(nc.name, "coverage.new_code");
  EXPECT_EQ(nc.value["executable"], 2);
  EXPECT_EQ(nc.value["covered"], 1);
}

TEST_F(AssessTest, FailedRunsOnTheChangeAreFixAttempts) {
  repo_.Write("src/app.c", "int main() {\n  return 2;\n}\n");
  std::string first =
      repo_.Commit("try 1\n\nTask-ID: T-1\n", "Ada", "ada@example.com", (kAssessT0 + 10 * kHour) / 1000);
  const store::RunId tried = AddRun(first, "feature", store::RunStatus::kFailed,
                                    kAssessT0 + 101 * kHour, {{"Task-ID", "T-1"}});
  // An amended commit no longer in the change: the same Task-ID makes it an attempt.
  const store::RunId amended = AddRun("amended", "agent/t-1", store::RunStatus::kFailed,
                                      kAssessT0 + 102 * kHour, {{"Task-ID", "T-1"}});
  AddRun("unrelated", "other", store::RunStatus::kFailed, kAssessT0 + 103 * kHour);
  AddRun("old", "feature", store::RunStatus::kFailed, kAssessT0 + 1 * kHour);  // before the change
  repo_.Write("README.md", "app\nfixed\n");
  std::string head =
      repo_.Commit("try 2\n\nTask-ID: T-1\n", "Ada", "ada@example.com", (kAssessT0 + 11 * kHour) / 1000);
  const store::RunId red =
      AddRun(head, "feature", store::RunStatus::kFailed, kAssessT0 + 104 * kHour);  // on the branch
  store::RunId green = AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 105 * kHour);
  Assessment a = Judge();
  EXPECT_EQ(a.run.id, green);
  std::vector<store::RunId> attempts(a.fix_attempt_runs.begin(), a.fix_attempt_runs.end());
  std::sort(attempts.begin(), attempts.end());
  EXPECT_EQ(attempts, (std::vector<store::RunId>{tried, amended, red}))
      << "not the unrelated branch's run, nor the one before the change";
  EXPECT_EQ(a.verdict.decision, Decision::kNeedsApproval);
  EXPECT_EQ(a.verdict.reasons.back(),
            "3 failed attempts on this change (limit 3): a person takes over");
  // The limit is the pipeline's gates.max_fix_attempts: one more, and 3 attempts pass.
  pipeline_.gates.max_fix_attempts = 4;
  Assessment lenient = Judge();
  const Check& limit = lenient.verdict.checks.back();
  EXPECT_EQ(limit.name, "fix_attempts");
  EXPECT_EQ(limit.status, CheckStatus::kPass);
  EXPECT_EQ(limit.threshold, 4);
}

// docs/gates.md: the change's trust level is the lowest among its authors. Ada alone
// would auto-merge this docs change (DocsOnlyChangeByAnL1AuthorAutoMerges); with a
// commit by a new author, it needs a person.
TEST_F(AssessTest, AChangeTakesTheLowestTrustAmongItsAuthors) {
  repo_.Write("README.md", "app\nby ada\n");
  repo_.Commit("docs: ada's part", "Ada", "ada@example.com");
  repo_.Write("README.md", "app\nby ada\nand bob\n");
  std::string head = repo_.Commit("docs: bob's part", "Bob", "bob@example.com");
  AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 100 * kHour);
  Assessment a = Judge();
  EXPECT_EQ(a.risk.risk, RiskClass::kLow);
  EXPECT_EQ(a.trust_level, TrustLevel::kL0);
  EXPECT_EQ(a.verdict.decision, Decision::kNeedsApproval);
}

TEST_F(AssessTest, RevertRecordsAnIncidentThatDemotesTheRevertedAuthor) {
  repo_.Write("README.md", "app\nrevert h24\n");
  std::string head =
      repo_.Commit("Revert \"change h24\"\n\nThis reverts commit h24.\n", "Ada", "ada@example.com");
  AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 100 * kHour);
  Assessment a = Judge();
  // "h24" is no hex id: nothing recorded. A real id is.
  EXPECT_EQ(a.reverts_recorded, 0);

  repo_.Write("README.md", "app\nrevert\n");
  std::string reverted = std::string(40, 'a');
  AddRun(reverted, "main", store::RunStatus::kSuccess, kAssessT0 + 30 * kHour);
  head = repo_.Commit("Revert \"x\"\n\nThis reverts commit " + reverted + ".\n", "Ada",
                      "ada@example.com");
  AddRun(head, "feature", store::RunStatus::kSuccess, kAssessT0 + 101 * kHour);
  a = Judge();
  EXPECT_EQ(a.reverts_recorded, 1);
  EXPECT_EQ(a.trust_level, TrustLevel::kL0);
  EXPECT_EQ(a.verdict.decision, Decision::kNeedsApproval);
  EXPECT_EQ(Judge().reverts_recorded, 0);  // once
  auto changes = store_->ListTrustChanges("webapp", "ada@example.com");
  ASSERT_TRUE(changes.ok());
  ASSERT_FALSE(changes->empty());
  EXPECT_EQ(changes->back().to_level, "L0");
}

TEST_F(AssessTest, NoRunOfTheHeadIsNotFound) {
  repo_.Write("README.md", "x\n");
  repo_.Commit("unrun");
  GateOptions opt;
  opt.repo_path = repo_.dir();
  AssessFailure failure;
  auto a = Assess(*store_, pipeline_, opt, &failure);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(failure, AssessFailure::kNotFound);
  EXPECT_NE(a.error().message.find("no run of pipeline 'webapp' for commit"), std::string::npos);
  opt.base_ref = "nope";
  a = Assess(*store_, pipeline_, opt, &failure);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(failure, AssessFailure::kInvalid);
}

}  // namespace
}  // namespace gauntlet::gate
