// The scheduler with the real LocalRunner and real processes.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <thread>

#include "exec/local_runner.h"
#include "exec/scheduler.h"
#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using namespace std::chrono_literals;
using testing::JobName;
using testing::PlanBuilder;
using testing::Recorder;

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/gauntlet-exec-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

struct RealRun {
  TempDir dir;
  std::unique_ptr<LocalRunner> runner;
  Recorder rec;
  RealRun() {
    auto r = LocalRunner::Create({});
    EXPECT_TRUE(r.ok());
    runner = std::move(r).value();
  }
  RunResult Run(const plan::Plan& plan, SchedulerOptions o = {}) {
    o.run_dir = dir.path;
    if (o.parallelism == 0) o.parallelism = 2;
    Scheduler s(plan, runner.get(), &rec, std::move(o));
    return s.Run();
  }
};

bool ProcessGroupGone(int pgid) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (kill(-pgid, 0) == -1 && errno == ESRCH) return true;
    std::this_thread::yield();
  }
  return false;
}

TEST(SchedulerProcessTest, RandomDagSameResultsAtJ1AndJ8) {
  PlanBuilder b;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::vector<plan::JobId> needs;
    for (int k = 0; k < 3 && i > 0; ++k) {
      plan::JobId d = static_cast<plan::JobId>(rng() % i);
      if (rng() % 2 && std::find(needs.begin(), needs.end(), d) == needs.end()) needs.push_back(d);
    }
    b.Add(JobName(i), rng() % 6 == 0 ? "false" : "true", needs);
  }
  auto states = [](const Recorder& r) {
    std::map<std::string, JobState> m;
    for (const auto& [k, v] : r.results) m[k] = v.state;
    return m;
  };
  RealRun one, eight;
  SchedulerOptions o1, o8;
  o1.parallelism = 1;
  o8.parallelism = 8;
  o1.keep_going = o8.keep_going = true;
  one.Run(b.plan, o1);
  eight.Run(b.plan, o8);
  EXPECT_EQ(one.rec.results.size(), 200u);
  EXPECT_EQ(states(one.rec), states(eight.rec));
  EXPECT_TRUE(eight.rec.started_before_flush.empty());
}

TEST(SchedulerProcessTest, RetryRunsExactlyTheAllowedAttempts) {
  RealRun r;
  PlanBuilder b;
  std::string counter = r.dir.path + "/count";
  b.Add("flaky", "echo x >> " + counter + "; exit 1", {}, [](spec::Job& j) {
    j.retry.attempts = 3;
    j.retry.backoff = 10ms;
  });
  EXPECT_EQ(r.Run(b.plan).state, RunState::kFailed);
  EXPECT_EQ(r.rec.results["flaky"].attempts, 3);
  EXPECT_EQ(r.rec.output["flaky"], "");
  FILE* f = fopen(counter.c_str(), "r");
  ASSERT_NE(f, nullptr);
  int lines = 0;
  for (int c; (c = fgetc(f)) != EOF;) lines += c == '\n';
  fclose(f);
  EXPECT_EQ(lines, 3);
}

// docs/running.md: a job that could not be started (missing shell or directory) is
// retried only when `on:` is not given; each attempt says why it did not start.
TEST(SchedulerProcessTest, AJobThatCannotStartIsRetriedOnlyWithoutOn) {
  RealRun r;
  PlanBuilder b;
  const std::string missing = r.dir.path + "/missing-dir";
  auto retry3 = [](spec::Job& j) {
    j.retry.attempts = 3;
    j.retry.backoff = 1ms;
  };
  plan::JobId dir = b.Add("no-dir", "true", {}, retry3);
  plan::JobId dir_on = b.Add("no-dir-on-exit-code", "true", {}, [&](spec::Job& j) {
    retry3(j);
    j.retry.on_exit_codes = {1};
  });
  plan::JobId shell = b.Add("no-shell", "true", {}, retry3);
  plan::JobId shell_on = b.Add("no-shell-on-timeout", "true", {}, [&](spec::Job& j) {
    retry3(j);
    j.retry.on_timeout = true;
  });
  b.plan.jobs[dir].working_directory = missing;
  b.plan.jobs[dir_on].working_directory = missing;
  b.plan.jobs[shell].shell = "gauntlet-no-such-shell";
  b.plan.jobs[shell_on].shell = "gauntlet-no-such-shell";
  SchedulerOptions o;
  o.keep_going = true;
  EXPECT_EQ(r.Run(b.plan, o).failed, 4);
  EXPECT_EQ(r.rec.results["no-dir"].attempts, 3);
  EXPECT_EQ(r.rec.attempts_finished["no-dir"], 3);
  EXPECT_EQ(r.rec.results["no-shell"].attempts, 3);
  EXPECT_EQ(r.rec.results["no-dir-on-exit-code"].attempts, 1);
  EXPECT_EQ(r.rec.results["no-shell-on-timeout"].attempts, 1);
  EXPECT_NE(r.rec.results["no-dir"].reason.find(missing), std::string::npos)
      << r.rec.results["no-dir"].reason;
  EXPECT_NE(r.rec.results["no-shell"].reason.find("gauntlet-no-such-shell"), std::string::npos)
      << r.rec.results["no-shell"].reason;
  // One "gauntlet: ..." line in the log per attempt.
  const std::string& log = r.rec.output["no-dir"];
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
  EXPECT_EQ(log.rfind("gauntlet: ", 0), 0u) << log;
}

// A job that ends within its timeout is not touched; one that runs past it is killed and
// reported as timed out (both sides; the exact instant is the runner's clock).
TEST(SchedulerProcessTest, TimeoutKillsOnlyJobsThatRunPastIt) {
  RealRun r;
  PlanBuilder b;
  auto quick = b.Add("quick", "sleep 0.2; echo done");
  auto slow = b.Add("slow", "echo started; sleep 30");
  b.plan.jobs[quick].timeout = 20s;
  b.plan.jobs[slow].timeout = 300ms;
  SchedulerOptions o;
  o.keep_going = true;
  EXPECT_EQ(r.Run(b.plan, o).state, RunState::kFailed);
  EXPECT_EQ(r.rec.state("quick"), JobState::kSuccess);
  EXPECT_EQ(r.rec.output["quick"], "done\n");
  EXPECT_EQ(r.rec.state("slow"), JobState::kFailed);
  EXPECT_EQ(r.rec.results["slow"].reason, "timed out after 300ms");
  EXPECT_GE(r.rec.results["slow"].duration, 300ms);
  EXPECT_LT(r.rec.results["slow"].duration, 20s);
}

// docs/running.md: CPU time and peak memory come from wait4 and cover the children the
// job's main process waited for: here all the work is done by such a child.
TEST(SchedulerProcessTest, RecordsTheResourcesOfWhatTheJobWaitedFor) {
  RealRun r;
  PlanBuilder b;
  // Children only (`; true` keeps the job's shell from exec'ing the last one): a loop of
  // about 0.2 s of CPU, and an awk whose string doubles to 64 MiB. The job's own shell
  // uses about a millisecond and 2 MiB, so only the children's resources reach the bounds.
  b.Add("busy",
        "sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'; "
        "awk 'BEGIN { s = \"x\"; for (i = 0; i < 26; i++) s = s s }'; true");
  EXPECT_EQ(r.Run(b.plan).state, RunState::kSuccess);
  const AttemptResult& a = r.rec.last_attempt["busy"];
  EXPECT_GE((a.user_cpu + a.sys_cpu).count(), 50'000) << "µs of CPU: the loop's";
  EXPECT_GE(a.max_rss_kb, 60 * 1024) << "the awk child's 64 MiB string";
}

TEST(SchedulerProcessTest, EachAttemptSeesItsNumber) {
  RealRun r;
  PlanBuilder b;
  b.Add("flaky", "echo \"attempt $GAUNTLET_ATTEMPT\"; [ \"$GAUNTLET_ATTEMPT\" -ge 2 ]", {},
        [](spec::Job& j) { j.retry.attempts = 3; });
  EXPECT_EQ(r.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(r.rec.results["flaky"].attempts, 2);
  EXPECT_EQ(r.rec.output["flaky"], "attempt 1\nattempt 2\n");
}

TEST(SchedulerProcessTest, CancelLeavesNoProcesses) {
  RealRun r;
  PlanBuilder b;
  b.Add("a", "tail -f /dev/null & echo $$; wait");
  b.Add("b", "tail -f /dev/null & echo $$; wait");
  b.Add("c", "true", {0});
  std::unique_ptr<Scheduler> s;
  std::vector<int> pgids;
  // Cancel once both jobs have printed their pid (= their process group).
  struct PidWatcher : Recorder {
    std::function<void()> both;
    void OnOutput(const plan::PlannedJob& j, int a, std::string_view bytes) override {
      Recorder::OnOutput(j, a, bytes);
      if (output.size() == 2 && output.begin()->second.find('\n') != std::string::npos &&
          output.rbegin()->second.find('\n') != std::string::npos) {
        both();
      }
    }
  } watcher;
  SchedulerOptions o;
  o.run_dir = r.dir.path;
  o.parallelism = 2;
  s = std::make_unique<Scheduler>(b.plan, r.runner.get(), &watcher, o);
  watcher.both = [&] {
    if (pgids.empty()) {
      for (auto& [name, out] : watcher.output) pgids.push_back(std::stoi(out));
      s->Cancel();
    }
  };
  RunResult result = s->Run();
  EXPECT_EQ(result.state, RunState::kCancelled);
  EXPECT_EQ(result.cancelled, 3);
  ASSERT_EQ(pgids.size(), 2u);
  for (int pgid : pgids) EXPECT_TRUE(ProcessGroupGone(pgid)) << pgid;
}

TEST(SchedulerProcessTest, JobsSeeTheirEnvironmentAndWorkingDirectory) {
  RealRun r;
  PlanBuilder b;
  b.pipeline.env = {{"A", "pipeline"}, {"B", "pipeline"}};
  auto id = b.Add("a", "echo $A $B $CI $GAUNTLET_JOB; pwd", {}, [](spec::Job& j) {
    j.env = {{"B", "job"}};
  });
  b.plan.jobs[id].working_directory = "/";
  EXPECT_EQ(r.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(r.rec.output["a"], "pipeline job true a\n/\n");
}

TEST(SchedulerProcessTest, OutputsWrittenByAJobAreCollected) {
  RealRun r;
  PlanBuilder b;
  b.Add("a", "echo version=1.2.3 >> \"$GAUNTLET_OUTPUT\"");
  EXPECT_EQ(r.Run(b.plan).state, RunState::kSuccess);
  Outputs want = {{"version", "1.2.3"}};
  EXPECT_EQ(r.rec.results["a"].outputs, want);
}

TEST(SchedulerProcessTest, WithoutARunDirOutputsGoToATemporaryOne) {
  auto runner = std::move(LocalRunner::Create({})).value();
  PlanBuilder b;
  b.Add("a", "echo \"$GAUNTLET_OUTPUT\"; echo k=v >> \"$GAUNTLET_OUTPUT\"");
  Recorder rec;
  Scheduler s(b.plan, runner.get(), &rec, {});
  EXPECT_EQ(s.Run().state, RunState::kSuccess);
  Outputs want = {{"k", "v"}};
  EXPECT_EQ(rec.results["a"].outputs, want);
  std::string path = rec.output["a"];
  ASSERT_NE(path.find("/gauntlet-run-"), std::string::npos);
  std::string dir = path.substr(0, path.rfind('/'));
  EXPECT_NE(access(dir.c_str(), F_OK), 0) << dir << " was not removed";
}

TEST(SchedulerProcessTest, OutputsFlowBetweenJobs) {
  RealRun r;
  PlanBuilder b;
  auto a = b.Add("a", "echo version=1.2.3 >> \"$GAUNTLET_OUTPUT\"");
  b.Add("b", "echo got ${{ needs.a.outputs.version }} $V", {a}, [](spec::Job& j) {
    j.env = {{"V", "${{ needs.a.result }}"}};
  });
  EXPECT_EQ(r.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(r.rec.output["b"], "got 1.2.3 success\n");
}

TEST(SchedulerProcessTest, FailureCleanupJobsRunAfterAFailure) {
  RealRun r;
  PlanBuilder b;
  auto a = b.Add("build", "false");
  b.Add("on-failure", "echo cleaning", {a}, [](spec::Job& j) { j.if_expr = "failure()"; });
  b.Add("on-success", "echo no", {a}, [](spec::Job& j) { j.if_expr = "success()"; });
  b.Add("always", "echo always", {a}, [](spec::Job& j) { j.if_expr = "always()"; });
  b.Add("plain", "echo no", {a});
  EXPECT_EQ(r.Run(b.plan).state, RunState::kFailed);
  EXPECT_EQ(r.rec.state("on-failure"), JobState::kSuccess);
  EXPECT_EQ(r.rec.output["on-failure"], "cleaning\n");
  EXPECT_EQ(r.rec.state("always"), JobState::kSuccess);
  EXPECT_EQ(r.rec.state("on-success"), JobState::kSkipped);
  EXPECT_EQ(r.rec.state("plain"), JobState::kSkipped);
}

// docs/running.md: a need skipped by its own `if:` is not a failure; one skipped because
// its needs failed is, down the chain; a need that failed with continue_on_error reads as
// `success`.
TEST(SchedulerProcessTest, SkipsByIfAreNotFailuresButUpstreamFailuresPropagate) {
  RealRun r;
  PlanBuilder b;
  auto off = b.Add("off", "echo no", {}, [](spec::Job& j) { j.if_expr = "false"; });
  b.Add("after-off", "echo ran", {off});
  auto broken = b.Add("broken", "false");
  auto mid = b.Add("mid", "echo no", {broken});
  b.Add("cleanup", "echo cleaning", {mid}, [](spec::Job& j) { j.if_expr = "failure()"; });
  b.Add("plain", "echo no", {mid});
  auto allowed = b.Add("allowed", "false", {}, [](spec::Job& j) { j.continue_on_error = true; });
  b.Add("reads", "echo ${{ needs.allowed.result }}", {allowed});
  SchedulerOptions o;
  o.keep_going = true;
  EXPECT_EQ(r.Run(b.plan, o).state, RunState::kFailed);
  EXPECT_EQ(r.rec.state("off"), JobState::kSkipped);
  EXPECT_EQ(r.rec.output["after-off"], "ran\n");
  EXPECT_EQ(r.rec.state("mid"), JobState::kSkipped);
  EXPECT_EQ(r.rec.results["mid"].reason, "a needed job failed");
  EXPECT_EQ(r.rec.output["cleanup"], "cleaning\n");
  EXPECT_EQ(r.rec.state("plain"), JobState::kSkipped);
  EXPECT_EQ(r.rec.state("allowed"), JobState::kFailed);
  EXPECT_EQ(r.rec.output["reads"], "success\n");
}

TEST(SchedulerProcessTest, IfOverMatrixAndBranch) {
  RealRun r;
  PlanBuilder b;
  auto id = b.Add("unit (py=3.12)", "echo ${{ matrix.py }}", {},
                  [](spec::Job& j) { j.if_expr = "branch == 'main' && matrix.py != '3.11'"; });
  b.plan.jobs[id].matrix = {{"py", {"3.12", spec::MatrixValue::Kind::kString}}};
  b.Add("other", "echo no", {}, [](spec::Job& j) { j.if_expr = "branch == 'dev'"; });
  SchedulerOptions o;
  o.branch = "main";
  EXPECT_EQ(r.Run(b.plan, o).state, RunState::kSuccess);
  EXPECT_EQ(r.rec.output["unit (py=3.12)"], "3.12\n");
  EXPECT_EQ(r.rec.state("other"), JobState::kSkipped);
}

TEST(SchedulerProcessTest, FailFastStillRunsAlwaysAndFailureJobs) {
  RealRun r;
  PlanBuilder b;
  auto fails = b.Add("fails", "false");
  b.Add("after-fails", "true", {fails});  // equal chain lengths: file order decides
  auto slow = b.Add("slow", "true");
  b.Add("report", "echo report", {slow}, [](spec::Job& j) { j.if_expr = "always()"; });
  b.Add("next", "true", {slow});
  b.Add("success-or", "true", {slow}, [](spec::Job& j) { j.if_expr = "success() || true"; });
  b.Add("on-failure", "echo cleaning", {slow}, [](spec::Job& j) { j.if_expr = "failure()"; });
  b.Add("if-cancelled", "echo c", {slow}, [](spec::Job& j) { j.if_expr = "cancelled() || true"; });
  SchedulerOptions o;
  o.parallelism = 1;  // "fails" runs first, then fail-fast applies
  EXPECT_EQ(r.Run(b.plan, o).state, RunState::kFailed);
  EXPECT_EQ(r.rec.state("slow"), JobState::kSkipped);
  EXPECT_EQ(r.rec.state("report"), JobState::kSuccess);
  EXPECT_EQ(r.rec.state("next"), JobState::kSkipped);
  EXPECT_EQ(r.rec.state("success-or"), JobState::kSkipped);  // no always/failure: fail-fast
  // docs/running.md: jobs whose if: uses always(), failure() or cancelled() are exempt.
  EXPECT_EQ(r.rec.state("on-failure"), JobState::kSuccess) << r.rec.results["on-failure"].reason;
  EXPECT_EQ(r.rec.state("if-cancelled"), JobState::kSuccess) << r.rec.results["if-cancelled"].reason;
  for (const char* skipped : {"slow", "next", "success-or"})
    EXPECT_EQ(r.rec.results[skipped].reason, "not started: an earlier job failed (fail-fast)")
        << skipped;
}

TEST(SchedulerProcessTest, BadIfExpressionFailsTheJob) {
  RealRun r;
  PlanBuilder b;
  b.Add("a", "true", {}, [](spec::Job& j) { j.if_expr = "branch =="; });
  EXPECT_EQ(r.Run(b.plan).state, RunState::kFailed);
  EXPECT_NE(r.rec.results["a"].reason.rfind("if: ", 0), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::exec
