#include "exec/scheduler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using namespace std::chrono_literals;
using testing::FakeRun;
using testing::JobName;
using testing::PlanBuilder;
using testing::Recorder;

TEST(SchedulerTest, StartsAJobAsSoonAsItsNeedsFinishNotLevelByLevel) {
  PlanBuilder b;
  auto a = b.Add("a", "sleep:10");
  b.Add("slow", "sleep:1000");
  b.Add("c", "sleep:20", {a});
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(f.StartOf("sleep:20") - f.StartOf("sleep:10"), 10ms);  // slow is still running
  EXPECT_EQ(f.rec.state("c"), JobState::kSuccess);
  EXPECT_TRUE(f.rec.started_before_flush.empty());
}

// docs/running.md: among ready jobs, the one heading the longest chain starts first. The
// file order here is the opposite (a lone job, a chain of two, a chain of three).
TEST(SchedulerTest, ReadyJobsStartLongestChainFirstNotInFileOrder) {
  PlanBuilder b;
  b.Add("lone", "print:lone");
  auto s1 = b.Add("short", "print:short");
  b.Add("short-2", "print:short-2", {s1});
  auto l1 = b.Add("long", "print:long");
  auto l2 = b.Add("long-2", "print:long-2", {l1});
  b.Add("long-3", "print:long-3", {l2});
  FakeRun f;
  SchedulerOptions o;
  o.parallelism = 1;
  EXPECT_EQ(f.Run(b.plan, o).succeeded, 6);
  std::vector<std::string> order;
  for (const auto& s : f.runner.started()) order.push_back(s.script.substr(6));
  // Equal chains (short and long-2, then the three leaves) keep file order.
  EXPECT_EQ(order,
            (std::vector<std::string>{"long", "short", "long-2", "lone", "short-2", "long-3"}));
}

TEST(SchedulerTest, IndependentJobsShareCommitsWhileDependentsWaitForOne) {
  // 40 independent 1 ms jobs: results are batched (a flush at most every 100 ms), not one
  // commit per job.
  PlanBuilder wide;
  for (int i = 0; i < 40; ++i) wide.Add(JobName(i), "sleep:1");
  FakeRun w;
  EXPECT_EQ(w.Run(wide.plan).succeeded, 40);
  EXPECT_LE(w.rec.flushes, 3);
  // A chain: every job's need is committed before it starts.
  PlanBuilder chain;
  plan::JobId prev = chain.Add(JobName(0), "sleep:1");
  for (int i = 1; i < 20; ++i) prev = chain.Add(JobName(i), "sleep:1", {prev});
  FakeRun c;
  EXPECT_EQ(c.Run(chain.plan).succeeded, 20);
  EXPECT_GE(c.rec.flushes, 19);
  EXPECT_TRUE(c.rec.started_before_flush.empty());
  // A slow independent job does not hold other results uncommitted past the delay.
  PlanBuilder mixed;
  mixed.Add("quick", "sleep:1");
  mixed.Add("slow", "sleep:5000");
  FakeRun m;
  EXPECT_EQ(m.Run(mixed.plan).succeeded, 2);
  ASSERT_FALSE(m.rec.flushed.empty());
  EXPECT_EQ(m.rec.flushed.front(), "quick");
  EXPECT_GE(m.rec.flushes, 2);  // one ~100 ms after quick finished, one at the end
}

TEST(SchedulerTest, NeverExceedsTheParallelism) {
  PlanBuilder b;
  for (int i = 0; i < 20; ++i)
    b.Add(JobName(i), std::string("sleep:").append(std::to_string(5 + i)));
  FakeRun f;
  SchedulerOptions o;
  o.parallelism = 3;
  EXPECT_EQ(f.Run(b.plan, o).succeeded, 20);
  EXPECT_EQ(f.runner.max_running(), 3);
}

TEST(SchedulerTest, RetriesExactlyTheAllowedAttemptsWithBackoff) {
  PlanBuilder b;
  b.Add("flaky", "fail", {}, [](spec::Job& j) {
    j.retry.attempts = 3;
    j.retry.backoff = 2s;
  });
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kFailed);
  ASSERT_EQ(f.runner.started().size(), 3u);
  EXPECT_EQ(f.StartOf("fail", 1) - f.StartOf("fail", 0), 10ms + 2s);
  EXPECT_EQ(f.StartOf("fail", 2) - f.StartOf("fail", 1), 10ms + 2s);
  EXPECT_EQ(f.rec.results["flaky"].attempts, 3);
  EXPECT_EQ(f.rec.attempts_finished["flaky"], 3);
  EXPECT_EQ(f.rec.results["flaky"].reason, "exit code 1");
}

TEST(SchedulerTest, RetriesOnlyListedExitCodesAndTimeouts) {
  PlanBuilder b;
  b.Add("other-code", "exit:2", {}, [](spec::Job& j) {
    j.retry.attempts = 3;
    j.retry.on_exit_codes = {3};
  });
  b.Add("listed-code", "exit:3", {}, [](spec::Job& j) {
    j.retry.attempts = 2;
    j.retry.on_exit_codes = {3};
  });
  auto t = b.Add("timeout", "hang", {}, [](spec::Job& j) {
    j.retry.attempts = 2;
    j.retry.on_timeout = true;
  });
  b.plan.jobs[t].timeout = 1s;
  FakeRun f;
  SchedulerOptions o;
  o.keep_going = true;
  f.Run(b.plan, o);
  EXPECT_EQ(f.rec.results["other-code"].attempts, 1);
  EXPECT_EQ(f.rec.results["listed-code"].attempts, 2);
  EXPECT_EQ(f.rec.results["timeout"].attempts, 2);
  EXPECT_EQ(f.rec.results["timeout"].reason, "timed out after 1s");
}

TEST(SchedulerTest, FailFastStartsNothingNewButLetsRunningJobsFinish) {
  PlanBuilder b;
  b.Add("fails", "fail");
  b.Add("running", "sleep:500");
  b.Add("later", "ok");
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kFailed);
  EXPECT_EQ(f.rec.state("running"), JobState::kSuccess);
  EXPECT_EQ(f.rec.state("later"), JobState::kSkipped);
  EXPECT_NE(f.rec.results["later"].reason.find("fail-fast"), std::string::npos);

  FakeRun g;
  SchedulerOptions o;
  o.keep_going = true;
  EXPECT_EQ(g.Run(b.plan, o).state, RunState::kFailed);
  EXPECT_EQ(g.rec.state("later"), JobState::kSuccess);
}

TEST(SchedulerTest, DependentsOfAFailureAreSkippedTransitively) {
  PlanBuilder b;
  auto a = b.Add("a", "fail");
  auto c = b.Add("b", "ok", {a});
  b.Add("c", "ok", {c});
  FakeRun f;
  SchedulerOptions o;
  o.keep_going = true;
  RunResult r = f.Run(b.plan, o);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_TRUE(f.rec.results["c"].upstream_failed);
  EXPECT_EQ(f.rec.results["c"].reason, "a needed job failed");
  EXPECT_EQ(f.runner.started().size(), 1u);
}

TEST(SchedulerTest, ContinueOnErrorCountsAsSuccess) {
  PlanBuilder b;
  auto a = b.Add("a", "fail", {}, [](spec::Job& j) { j.continue_on_error = true; });
  b.Add("b", "ok", {a});
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kSuccess);
  EXPECT_EQ(f.rec.state("a"), JobState::kFailed);
  EXPECT_TRUE(f.rec.results["a"].continued_on_error);
  EXPECT_EQ(f.rec.state("b"), JobState::kSuccess);
}

TEST(SchedulerTest, CancelSignalCancelsRunningAndPendingJobs) {
  PlanBuilder b;
  auto a = b.Add("a", "hang");
  b.Add("b", "hang");
  b.Add("c", "ok", {a});
  FakeRun f;
  f.rec.on_start = [&](const plan::PlannedJob& j, int) {
    if (j.name == "b") f.runner.RaiseCancelSignal();
  };
  RunResult r = f.Run(b.plan);
  EXPECT_EQ(r.state, RunState::kCancelled);
  EXPECT_EQ(r.cancelled, 3);
  EXPECT_EQ(f.runner.running(), 0);
}

TEST(SchedulerTest, CancelDuringBackoff) {
  PlanBuilder b;
  b.Add("a", "fail", {}, [](spec::Job& j) {
    j.retry.attempts = 5;
    j.retry.backoff = 1h;
  });
  FakeRun f;
  f.rec.on_start = [&](const plan::PlannedJob&, int) { f.runner.RaiseCancelSignal(); };
  EXPECT_EQ(f.Run(b.plan).state, RunState::kCancelled);
  EXPECT_EQ(f.rec.results["a"].attempts, 1);
}

TEST(SchedulerTest, DeploysGoToTheHandler) {
  PlanBuilder b;
  auto d = b.Add("deploy: staging", "");
  b.plan.jobs[d].kind = plan::PlannedJob::Kind::kDeploy;
  b.plan.jobs[d].spec = nullptr;
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kFailed);
  EXPECT_EQ(f.rec.results["deploy: staging"].reason, "deploys are not supported yet");

  FakeRun g;
  SchedulerOptions o;
  std::vector<std::string> handled;
  o.deploy = [&handled](const plan::PlannedJob& job, DeployDone done) {
    handled.push_back(job.name);
    JobResult r;
    r.state = JobState::kSuccess;
    done(r);
  };
  EXPECT_EQ(g.Run(b.plan, o).state, RunState::kSuccess);
  EXPECT_EQ(handled, std::vector<std::string>{"deploy: staging"});  // once, by the handler
}

TEST(SchedulerTest, ResumedJobsAreNotRunAgain) {
  PlanBuilder b;
  auto a = b.Add("a", "print:a");
  b.Add("b", "print:b", {a});
  FakeRun f;
  SchedulerOptions o;
  JobResult done;
  done.state = JobState::kSuccess;
  done.outputs = {{"v", "1"}};
  o.previous = {{a, done}};
  EXPECT_EQ(f.Run(b.plan, o).state, RunState::kSuccess);
  ASSERT_EQ(f.runner.started().size(), 1u);
  EXPECT_EQ(f.runner.started()[0].script, "print:b");
  EXPECT_TRUE(f.rec.results["a"].resumed);
}

TEST(SchedulerTest, EnvironmentLayers) {
  PlanBuilder b;
  b.pipeline.env = {{"LEVEL", "pipeline"}, {"P", "p"}};
  b.Add("a", "ok", {}, [](spec::Job& j) {
    j.env = {{"LEVEL", "job"}, {"HOME", "/override"}};
    j.secrets = {"TOKEN"};
  });
  b.Add("b", "ok");
  FakeRun f;
  SchedulerOptions o;
  o.run_id = "42";
  o.run_dir = "/runs/42";
  o.secrets = {{"TOKEN", "t0ps3cret"}, {"OTHER", "zzz"}};
  f.Run(b.plan, o);
  const auto& env = f.runner.started()[0].env;
  EXPECT_EQ(env.at("LEVEL"), "job");
  EXPECT_EQ(env.at("P"), "p");
  EXPECT_EQ(env.at("HOME"), "/override");
  EXPECT_EQ(env.at("CI"), "true");
  EXPECT_EQ(env.at("TOKEN"), "t0ps3cret");
  EXPECT_EQ(env.count("OTHER"), 0u);
  EXPECT_EQ(env.at("GAUNTLET_JOB"), "a");
  EXPECT_EQ(env.at("GAUNTLET_RUN_ID"), "42");
  EXPECT_EQ(env.at("GAUNTLET_OUTPUT"), "/runs/42/out-0-1");
  EXPECT_EQ(f.runner.started()[1].env.count("TOKEN"), 0u);
  EXPECT_EQ(f.runner.started()[1].env.at("HOME"), "/home/me");
}

// docs/running.md: later layers win: the job's secrets over its env, and the engine's own
// variables over everything.
TEST(SchedulerTest, LaterEnvironmentLayersWin) {
  PlanBuilder b;
  b.pipeline.env = {{"TOKEN", "pipeline"}, {"CI", "pipeline"}};
  b.Add("a", "ok", {}, [](spec::Job& j) {
    j.env = {{"TOKEN", "job"}, {"GAUNTLET_ATTEMPT", "99"}, {"GAUNTLET_JOB", "other"}};
    j.secrets = {"TOKEN"};
  });
  FakeRun f;
  SchedulerOptions o;
  o.secrets = {{"TOKEN", "from-secrets"}};
  f.Run(b.plan, o);
  const auto& env = f.runner.started()[0].env;
  EXPECT_EQ(env.at("TOKEN"), "from-secrets");
  EXPECT_EQ(env.at("CI"), "true");
  EXPECT_EQ(env.at("GAUNTLET_ATTEMPT"), "1");
  EXPECT_EQ(env.at("GAUNTLET_JOB"), "a");
}

// docs/running.md: the slot is free while a job waits for its retry.
TEST(SchedulerTest, ASlotIsFreeDuringARetryBackoff) {
  PlanBuilder b;
  b.Add("flaky", "fail", {}, [](spec::Job& j) {
    j.retry.attempts = 2;
    j.retry.backoff = 10s;
  });
  b.Add("other", "sleep:100");
  FakeRun f;
  SchedulerOptions o;
  o.parallelism = 1;
  o.keep_going = true;
  f.Run(b.plan, o);
  // flaky's first attempt, then other in the free slot, then flaky's retry 10 s later.
  ASSERT_EQ(f.runner.started().size(), 3u);
  EXPECT_EQ(f.runner.started()[1].script, "sleep:100");
  EXPECT_EQ(f.StartOf("sleep:100") - f.StartOf("fail", 0), 10ms);
  EXPECT_EQ(f.StartOf("fail", 1) - f.StartOf("fail", 0), 10ms + 10s);
}

TEST(SchedulerTest, UndefinedSecretFailsTheJob) {
  PlanBuilder b;
  b.Add("a", "ok", {}, [](spec::Job& j) { j.secrets = {"NOPE"}; });
  FakeRun f;
  EXPECT_EQ(f.Run(b.plan).state, RunState::kFailed);
  EXPECT_EQ(f.rec.results["a"].reason, "secret 'NOPE' is not defined");
}

TEST(SchedulerTest, OutputIsMasked) {
  PlanBuilder b;
  b.Add("a", "print:the token is t0ps3cret!");
  FakeRun f;
  SchedulerOptions o;
  o.secrets = {{"TOKEN", "t0ps3cret"}};
  f.Run(b.plan, o);
  EXPECT_EQ(f.rec.output["a"], "the token is ***!");
}

TEST(SchedulerTest, ReadsOutputsFileAndMasksIt) {
  char dir[] = "/tmp/gauntlet-sched-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  PlanBuilder b;
  b.Add("a", "write-outputs");
  FakeClock clock;
  FakeRunner runner(&clock, [](const SpawnRequest& req) {
    for (char* const* e = req.envp; *e; ++e) {
      std::string kv(*e);
      if (kv.rfind("GAUNTLET_OUTPUT=", 0) == 0) {
        std::ofstream(kv.substr(16)) << "version=1.2\nkey<<EOF\nt0ps3cret\nEOF\n";
      }
    }
    return FakeOutcome{};
  });
  Recorder rec;
  SchedulerOptions o;
  o.run_dir = dir;
  o.secrets = {{"TOKEN", "t0ps3cret"}};
  Scheduler s(b.plan, &runner, &rec, o);
  EXPECT_EQ(s.Run().state, RunState::kSuccess);
  Outputs want = {{"version", "1.2"}, {"key", "***"}};
  EXPECT_EQ(rec.results["a"].outputs, want);
  EXPECT_EQ(rmdir(dir), 0);  // the outputs file was removed
}

TEST(SchedulerTest, MalformedOutputsFileFailsTheJob) {
  char dir[] = "/tmp/gauntlet-sched-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  PlanBuilder b;
  b.Add("a", "x");
  FakeClock clock;
  FakeRunner runner(&clock, [](const SpawnRequest& req) {
    for (char* const* e = req.envp; *e; ++e) {
      std::string kv(*e);
      if (kv.rfind("GAUNTLET_OUTPUT=", 0) == 0) std::ofstream(kv.substr(16)) << "oops\n";
    }
    return FakeOutcome{};
  });
  Recorder rec;
  SchedulerOptions o;
  o.run_dir = dir;
  Scheduler s(b.plan, &runner, &rec, o);
  EXPECT_EQ(s.Run().state, RunState::kFailed);
  EXPECT_NE(rec.results["a"].reason.find("$GAUNTLET_OUTPUT line 1"), std::string::npos);
  rmdir(dir);
}

// A random DAG of n jobs; each fails with probability 1/5.
void RandomDag(PlanBuilder* b, int n, unsigned seed, const std::string& ok,
               const std::string& fail) {
  std::mt19937 rng(seed);
  for (int i = 0; i < n; ++i) {
    std::vector<plan::JobId> needs;
    for (int k = 0; k < 3 && i > 0; ++k) {
      plan::JobId d = static_cast<plan::JobId>(rng() % i);
      if (rng() % 2 && std::find(needs.begin(), needs.end(), d) == needs.end()) needs.push_back(d);
    }
    bool fails = rng() % 5 == 0;
    b->Add(JobName(i), fails ? fail : ok, needs, [&](spec::Job& j) {
      if (rng() % 10 == 0) j.if_expr = "";  // plain
      if (rng() % 7 == 0) j.continue_on_error = true;
    });
  }
}

std::map<std::string, JobState> States(const Recorder& r) {
  std::map<std::string, JobState> m;
  for (const auto& [k, v] : r.results) m[k] = v.state;
  return m;
}

TEST(SchedulerTest, RandomDagSameResultsAtJ1AndJ8) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    PlanBuilder b;
    RandomDag(&b, 200, seed, "ok", "fail");
    FakeRun one, eight;
    SchedulerOptions o1, o8;
    o1.parallelism = 1;
    o8.parallelism = 8;
    o1.keep_going = o8.keep_going = true;  // fail-fast's cut-off depends on timing
    one.Run(b.plan, o1);
    eight.Run(b.plan, o8);
    EXPECT_EQ(States(one.rec), States(eight.rec)) << "seed " << seed;
    EXPECT_EQ(one.rec.results.size(), 200u);
    EXPECT_EQ(eight.runner.max_running(), 8);
    EXPECT_TRUE(eight.rec.started_before_flush.empty());
  }
}

}  // namespace
}  // namespace gauntlet::exec
