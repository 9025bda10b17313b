// The JSON views are about to be an API: each one is rendered from fixed records and
// compared with its example under docs/json/, which docs/json.md documents. A change of
// shape must change the example (GAUNTLET_UPDATE_VIEWS=1 rewrites them; review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "engine/views_deploy.h"
#include "engine/views_gate.h"
#include "engine/views_run.h"
#include "spec/load.h"

namespace gauntlet::engine {
namespace {

using nlohmann::json;

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC
constexpr int64_t kNow = kStart + 60'000;

void ExpectExample(const json& actual, const std::string& name) {
  const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/docs/json/" + name;
  if (std::getenv("GAUNTLET_UPDATE_VIEWS")) std::ofstream(path) << actual.dump(2) << "\n";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "no example " << path;
  json expected = json::parse(in, nullptr, false);
  ASSERT_FALSE(expected.is_discarded()) << path << " is not JSON";
  EXPECT_EQ(actual, expected) << "view " << name << " now reads:\n" << actual.dump(2);
}

store::RunRecord SampleRun() {
  store::RunRecord r;
  r.id = 12;
  r.pipeline = "webapp";
  r.file = "/srv/webapp/gauntlet.yml";
  r.status = store::RunStatus::kFailed;
  r.reason = "";
  r.started_ms = kStart;
  r.finished_ms = kStart + 4'250;
  r.git_commit = "3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345";
  r.git_branch = "feature/login";
  r.author_name = "Ada Agent";
  r.author_email = "ada@example.com";
  r.subject = "login: remember the last user";
  r.trailers = {{"Agent-By", "ada"}, {"Task-ID", "T-17"}};
  r.engine_pid = 4242;
  r.engine_host = "build-1";
  r.title = "webapp of feature/login";  // run_name: webapp of ${{ branch }}
  return r;
}

store::AttemptRecord Attempt(int job, int number, int exit_code) {
  store::AttemptRecord a;
  a.run_id = 12;
  a.job_index = job;
  a.number = number;
  a.exit_code = exit_code;
  a.wall_ms = 1'200;
  a.user_cpu_ms = 900;
  a.sys_cpu_ms = 80;
  a.max_rss_kb = 51'200;
  a.started_ms = kStart + 100 + number * 1'500;
  a.finished_ms = a.started_ms + 1'200;
  return a;
}

TEST(ViewsTest, Run) { ExpectExample(RunJson(SampleRun(), kNow), "run.json"); }

TEST(ViewsTest, RunDetail) {
  RunDetail d;
  d.run = SampleRun();
  store::JobRecord build{12, 0, "build", store::JobStatus::kSuccess, "", kStart + 100,
                         kStart + 1'400, 1, {{"version", "1.4.2"}}, 0, ""};
  store::JobRecord unit{12, 1, "unit (python=3.12)", store::JobStatus::kFailed, "exit code 1",
                        kStart + 1'600, kStart + 4'200, 2, {}, 0, ""};
  d.jobs = {build, unit};
  d.attempts = {Attempt(0, 1, 0), Attempt(1, 1, 1), Attempt(1, 2, 1)};
  d.metrics = {{"tests.total", 42}, {"tests.failed", 1}, {"tests.skipped", 2},
               {"coverage.line", 81.5}};
  d.report_warnings[1] = {"junit report 'report.xml' is older than the job"};
  ExpectExample(RunDetailJson(d, kNow), "run-detail.json");
}

TEST(ViewsTest, RunSummary) {
  spec::LoadResult p = spec::LoadString(
      "name: webapp\njobs:\n  build: { run: make }\n  unit: { run: make test, needs: [build] }\n"
      "  package: { run: make dist, needs: [unit] }\n",
      "gauntlet.yml");
  ASSERT_TRUE(p.ok());
  spec::Problems problems;
  plan::Plan plan = plan::Build(p.pipeline, &problems);
  std::vector<exec::JobResult> results(3);
  results[0].state = exec::JobState::kSuccess;
  results[0].cached = true;
  results[0].cache_key = "9a0b1c2d3e4f5061";
  results[0].outputs = {{"version", "1.4.2"}};
  results[1].state = exec::JobState::kFailed;
  results[1].attempts = 2;
  results[1].duration = std::chrono::milliseconds(2'600);
  results[1].reason = "exit code 1";
  results[2].state = exec::JobState::kSkipped;
  results[2].reason = "a needed job failed";
  results[2].upstream_failed = true;
  ExpectExample(RunSummaryJson(SampleRun(), plan, results), "run-summary.json");
}

TEST(ViewsTest, Deployment) {
  store::DeploymentRecord d;
  d.id = 3;
  d.environment = "production";
  d.version = "1.4.2";
  d.strategy = "canary";
  d.state = store::kDeployRolledBack;
  d.phase = "step";
  d.step = 1;
  d.weight = 0;
  d.target_slot = "green";
  d.stable_slot = "blue";
  d.previous_version = "1.4.1";
  d.git_commit = "3f9c2a1b7d4e";
  d.trigger = "run 12, stage deploy";
  d.reason = "analysis failed at 20%: error rate 0.31 > 0.05";
  d.engine_pid = 4242;
  d.engine_host = "build-1";
  d.started_ms = kStart;
  d.finished_ms = kStart + 95'000;
  d.observed_requests = 400;
  d.observed_errors = 124;
  d.observed_p50_ms = 4.25;
  d.observed_p95_ms = 18.5;
  d.observed_p99_ms = 41.75;
  std::vector<store::DeploymentEvent> events = {
      {3, 1, kStart + 10, "phase", -1, -1, "", "deploy to slot green", ""},
      {3, 2, kStart + 60'000, "traffic", 1, 20, "pass", "green 20%, blue 80%", ""},
      {3, 3, kStart + 90'000, "verdict", 1, 20, "fail", "error rate 0.31 > 0.05",
       R"({"metric":"error_rate","provider":"probe","verdict":"fail","value":0.31,)"
       R"("baseline":0.0,"threshold":0.05,"window_ms":30000})"},
      {3, 4, kStart + 95'000, "rollback", 1, 0, "", "traffic back to blue", ""}};
  ExpectExample(DeploymentJson(d, events, /*with_events=*/true, kNow), "deployment.json");
}

gate::DiagnosedJob FailedUnit() {
  gate::DiagnosedJob d;
  d.job = {12, 1, "unit (python=3.12)", store::JobStatus::kFailed, "exit code 1",
           kStart + 1'600, kStart + 4'200, 2, {}, 0, ""};
  d.last_attempt = Attempt(1, 2, 1);
  d.parsers = {"pytest"};
  d.tests = gate::TestReport{};
  d.tests->tests = 42;
  d.tests->failures = 1;
  d.tests->skipped = 2;
  d.tests->time_seconds = 3.5;
  gate::Diagnostic diag;
  diag.category = gate::Category::kTest;
  diag.file = "tests/test_login.py";
  diag.line = 31;
  diag.message = "assert 'ada' == 'bob'";
  diag.rule = "test_login.py::test_remembers_user";
  diag.tool = "pytest";
  d.diagnosis.diagnostics = {diag};
  d.diagnosis.category = gate::Category::kTest;
  d.diagnosis.suggestion =
      "fix the failing test test_login.py::test_remembers_user at tests/test_login.py:31";
  d.diagnosis.log_tail = "FAILED tests/test_login.py::test_remembers_user\n1 failed, 39 passed";
  d.report_warnings = {"coverage report 'coverage.xml' not found"};
  return d;
}

TEST(ViewsTest, Diagnosis) {
  ExpectExample(DiagnosisJson(SampleRun(), "failed", {FailedUnit()}, {}), "diagnosis.json");
}

TEST(ViewsTest, Verdict) {
  gate::Assessment a;
  a.range.base = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  a.range.head = SampleRun().git_commit;
  a.range.how = "merge-base with main";
  a.range.default_branch = "main";
  a.range.head_branch = "feature/login";
  gate::Author ada{"Ada Agent", "ada@example.com"};
  a.identity.author = ada;
  a.identity.authors = {ada};
  a.identity.agent_by = "ada";
  a.identity.task_id = "T-17";
  a.identity.model = "model-x";
  a.identity.commits = {{a.range.head, ada, "login: remember the last user", "ada", "T-17",
                         "model-x", ""}};
  a.risk.risk = gate::RiskClass::kMedium;
  a.risk.size = gate::SizeClass::kS;
  a.risk.lines = 48;
  a.risk.files = {{"src/login.py", gate::RiskClass::kMedium, 40, 8}};
  gate::TrustStanding standing;
  standing.level = gate::TrustLevel::kL1;
  standing.merged = 4;
  standing.history_days = 12;
  standing.why = "L1: 4 merged changes, no incident";
  standing.next = "L2: 10 merged changes over 30 days";
  a.trust = {{ada, "ada@example.com", standing}};
  a.trust_level = gate::TrustLevel::kL1;
  a.run = SampleRun();
  a.fix_attempt_runs = {11, 12};
  a.verdict.decision = gate::Decision::kReject;
  a.verdict.reasons = {"required job unit (python=3.12) failed"};
  a.verdict.checks = {{"jobs", gate::CheckStatus::kFail, 1, 0,
                       "required job unit (python=3.12) failed"},
                      {"risk", gate::CheckStatus::kPass, "medium", "medium",
                       "medium risk allowed at L1"}};
  a.verdict.failed_jobs = {{"unit (python=3.12)", "failed", "exit code 1"}};
  a.notes = {"2 earlier runs of this change failed"};
  ExpectExample(VerdictJson(a, {FailedUnit()}), "verdict.json");
}

}  // namespace
}  // namespace gauntlet::engine
