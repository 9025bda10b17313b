#include "insight/aggregate.h"

#include <gtest/gtest.h>

namespace gauntlet::insight {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1'700'000'000'000;
constexpr const char* kNeeds = "[[],[0],[0],[1,2]]";  // build; test, lint; package

using store::JobStatus;

struct JobSpec {
  const char* name;
  JobStatus status;
  int64_t ready, start, finish;  // ms after the run's start; start 0 with finish 0: never ran
  int attempts = 1;
  int64_t retried_ms = 0;
  const char* key = "";
};

store::HistoryRun MakeRun(store::RunId id, const char* commit, int64_t start, int64_t duration,
                          store::RunStatus status, std::vector<JobSpec> jobs) {
  store::HistoryRun r;
  r.id = id;
  r.pipeline = "ci";
  r.status = status;
  r.started_ms = start;
  r.finished_ms = start + duration;
  r.git_commit = commit;
  r.git_branch = "main";
  r.slots = 2;
  r.needs = kNeeds;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobSpec& s = jobs[i];
    store::HistoryJob& j = r.jobs.emplace_back();
    j.index = static_cast<int>(i);
    j.name = s.name;
    j.status = s.status;
    bool ran = s.finish > 0;
    j.ready_ms = start + s.ready;
    j.started_ms = ran ? start + s.start : 0;
    j.finished_ms = ran ? start + s.finish : start + duration;
    j.attempts = ran ? s.attempts : 0;
    j.retried_ms = s.retried_ms;
    j.cache_key = s.key;
  }
  return r;
}

// The synthetic history whose figures the tests below work out by hand: one run in the
// previous window, four in this one, two per commit.
Aggregate History() {
  const auto S = JobStatus::kSuccess, F = JobStatus::kFailed;
  Aggregator agg(Window{kT0, kT0 + 10 * kDay, kT0 - 10 * kDay});
  agg.Add(MakeRun(1, "c0", kT0 - kDay, 200, store::RunStatus::kSuccess,
                  {{"build", S, 0, 0, 50},
                   {"test", S, 50, 50, 150},
                   {"lint", S, 50, 50, 100},
                   {"package", S, 150, 150, 190}}));
  agg.Add(MakeRun(2, "c1", kT0 + kHour, 460, store::RunStatus::kSuccess,
                  {{"build", S, 0, 0, 100},
                   {"test", S, 100, 100, 400},
                   {"lint", S, 100, 100, 250},
                   {"package", S, 400, 400, 450}}));
  agg.Add(MakeRun(3, "c1", kT0 + 2 * kHour, 770, store::RunStatus::kSuccess,
                  {{"build", S, 0, 0, 120},
                   {"test", S, 120, 120, 700, /*attempts=*/2, /*retried_ms=*/250},
                   {"lint", S, 120, 130, 200},  // waited 10 ms for a slot
                   {"package", S, 700, 700, 760}}));
  agg.Add(MakeRun(4, "c2", kT0 + 3 * kHour, 320, store::RunStatus::kFailed,
                  {{"build", S, 0, 0, 110},
                   {"test", S, 110, 110, 300},
                   {"lint", F, 110, 110, 150},
                   {"package", JobStatus::kSkipped, 300, 0, 0}}));
  agg.Add(MakeRun(5, "c2", kT0 + 4 * kHour, 300, store::RunStatus::kSuccess,
                  {{"build", S, 0, 0, 90},
                   {"test", S, 90, 90, 290},
                   {"lint", S, 90, 90, 140},
                   {"package", JobStatus::kCached, 290, 0, 0, 0, 0, "k1"}}));
  return agg.Finish();
}

const JobStats& Job(const PipelineStats& p, const std::string& name) {
  for (const JobStats& j : p.jobs) {
    if (j.name == name) return j;
  }
  ADD_FAILURE() << "no job " << name;
  return p.jobs.front();
}

TEST(InsightAggregate, PipelineFigures) {
  Aggregate a = History();
  EXPECT_EQ(a.runs_read, 5);
  EXPECT_EQ(a.jobs_read, 20);
  ASSERT_EQ(a.pipelines.size(), 1u);
  const PipelineStats& p = a.pipelines[0];
  EXPECT_EQ(p.runs, 4);
  EXPECT_EQ(p.succeeded, 3);
  EXPECT_EQ(p.failed, 1);
  EXPECT_EQ(p.success_rate(), 0.75);
  // Successful runs: 460, 770, 300 -> sorted 300 460 770.
  EXPECT_EQ(p.duration.p50, 460);
  EXPECT_EQ(p.duration.p95, 770);
  EXPECT_EQ(p.previous_p50_ms, 200);
  ASSERT_TRUE(p.trend());
  EXPECT_DOUBLE_EQ(*p.trend(), 460.0 / 200.0 - 1);
  EXPECT_EQ(a.median_runs.at("ci"), 2);
  // test and lint overlap in every successful run: 2 at once, the slot limit.
  EXPECT_EQ(p.slots, 2);
  EXPECT_EQ(p.peak.p50, 2);
  EXPECT_EQ(p.peak.max, 2);
  EXPECT_EQ(p.saturated_runs, 3);
  EXPECT_EQ(p.wait_per_run.p50, 0);  // 0, 10, 0
  EXPECT_EQ(p.wait_per_run.max, 10);
  // Each run takes 10 ms beyond its critical path (460 - 450, 770 - 760, 300 - 290).
  EXPECT_EQ(p.slack.p50, 10);
  EXPECT_EQ(p.slack.max, 10);
  ASSERT_EQ(p.days.size(), 1u);
  EXPECT_EQ(p.days[0].start_ms, kT0);
  EXPECT_EQ(p.days[0].runs, 4);
  EXPECT_EQ(p.days[0].failed, 1);
  EXPECT_EQ(p.days[0].p50_ms, 460);
}

TEST(InsightAggregate, JobFigures) {
  Aggregate a = History();
  const PipelineStats& p = a.pipelines[0];
  ASSERT_EQ(p.jobs.size(), 4u);
  EXPECT_EQ(p.jobs[0].name, "build");  // by name
  const JobStats& build = Job(p, "build");
  EXPECT_EQ(build.runs, 4);
  EXPECT_EQ(build.duration.p50, 100);  // 90 100 110 120: rank 2
  EXPECT_EQ(build.duration.p95, 120);
  EXPECT_EQ(build.previous_p50_ms, 50);
  EXPECT_DOUBLE_EQ(*build.trend(), 1.0);
  EXPECT_EQ(build.critical_runs, 3);
  const JobStats& test = Job(p, "test");
  EXPECT_EQ(test.duration.p50, 200);  // 190 200 300 580
  EXPECT_EQ(test.duration.p99, 580);
  EXPECT_EQ(test.retries, 1);
  EXPECT_EQ(test.critical_runs, 3);
  const JobStats& lint = Job(p, "lint");
  EXPECT_EQ(lint.succeeded, 3);
  EXPECT_EQ(lint.failed, 1);
  EXPECT_EQ(lint.success_rate(), 0.75);
  EXPECT_EQ(lint.duration.p50, 50);  // 40 50 70 150
  EXPECT_EQ(lint.wait_total_ms, 10);
  EXPECT_EQ(lint.wait_count, 4);
  EXPECT_EQ(lint.wait_mean_ms(), 2);
  EXPECT_EQ(lint.critical_runs, 0);
  EXPECT_FALSE(lint.cache_hit_rate());  // never had a cache key
  const JobStats& package = Job(p, "package");
  EXPECT_EQ(package.runs, 4);
  EXPECT_EQ(package.skipped, 1);
  EXPECT_EQ(package.cached, 1);
  EXPECT_EQ(package.duration.count, 2);
  ASSERT_TRUE(package.cache_hit_rate());
  EXPECT_DOUBLE_EQ(*package.cache_hit_rate(), 1.0 / 3.0);
  // On the path in runs 2 and 3; in run 5 it was cached (0 ms) and does not count.
  EXPECT_EQ(package.critical_runs, 2);
}

TEST(InsightAggregate, FlakyJobsWorstFirst) {
  Aggregate a = History();
  ASSERT_EQ(a.flaky.size(), 2u);
  // Both 1 of 4; test cost more (its first attempt, 250 ms) than lint (its failure, 40 ms).
  const FlakyJob& test = a.flaky[0];
  EXPECT_EQ(test.job, "test");
  EXPECT_EQ(test.executions, 4);
  EXPECT_EQ(test.passed_on_retry, 1);
  EXPECT_EQ(test.failed_on_passing_inputs, 0);
  EXPECT_EQ(test.retries, 1);
  EXPECT_EQ(test.cost_ms, 250);
  EXPECT_DOUBLE_EQ(test.rate(), 0.25);
  const FlakyJob& lint = a.flaky[1];
  EXPECT_EQ(lint.job, "lint");
  EXPECT_EQ(lint.passed_on_retry, 0);
  EXPECT_EQ(lint.failed_on_passing_inputs, 1);  // failed in run 4, passed in run 5 on c2
  EXPECT_EQ(lint.cost_ms, 40);
}

TEST(InsightAggregate, AFailureOnAnotherCommitOrKeyIsNotFlaky) {
  const auto S = JobStatus::kSuccess, F = JobStatus::kFailed;
  Aggregator agg(Window{kT0, kT0 + kDay, kT0 - kDay});
  agg.Add(
      MakeRun(1, "c1", kT0 + 1, 10, store::RunStatus::kFailed, {{"unit", F, 0, 0, 5, 1, 0, "k1"}}));
  agg.Add(MakeRun(2, "c1", kT0 + 2, 10, store::RunStatus::kSuccess,
                  {{"unit", S, 0, 0, 5, 1, 0, "k2"}}));
  agg.Add(MakeRun(3, "c2", kT0 + 3, 10, store::RunStatus::kSuccess,
                  {{"unit", S, 0, 0, 5, 1, 0, "k1"}}));
  agg.Add(MakeRun(4, "", kT0 + 4, 10, store::RunStatus::kFailed, {{"unit", F, 0, 0, 5}}));
  agg.Add(MakeRun(5, "", kT0 + 5, 10, store::RunStatus::kSuccess, {{"unit", S, 0, 0, 5}}));
  EXPECT_TRUE(agg.Finish().flaky.empty());
}

TEST(InsightAggregate, RerunsOfKeylessJobsOnAPassedCommit) {
  Aggregate a = History();
  // build and test never failed on a commit they passed on; each ran again once on c1
  // and once on c2. lint failed and passed on c2; package has a cache key.
  ASSERT_EQ(a.reruns.size(), 2u);
  EXPECT_EQ(a.reruns[0].job, "build");
  EXPECT_EQ(a.reruns[0].reruns, 2);
  EXPECT_EQ(a.reruns[0].rerun_ms, 120 + 90);
  EXPECT_TRUE(a.reruns[0].deterministic);
  EXPECT_EQ(a.reruns[1].job, "test");
  EXPECT_EQ(a.reruns[1].rerun_ms, 580 + 200);
}

TEST(InsightAggregate, RunsOutsideTheCurrentWindowOnlyFeedThePreviousFigures) {
  Aggregator agg(Window{kT0, kT0 + kDay, kT0 - kDay});
  agg.Add(MakeRun(1, "c0", kT0 - 1, 100, store::RunStatus::kSuccess,
                  {{"build", JobStatus::kSuccess, 0, 0, 80}}));
  Aggregate a = agg.Finish();
  EXPECT_TRUE(a.pipelines.empty());  // nothing in this window
  EXPECT_TRUE(a.median_runs.empty());
  Aggregator edge(Window{kT0, kT0 + kDay, kT0 - kDay});
  edge.Add(MakeRun(1, "c0", kT0, 100, store::RunStatus::kSuccess,
                   {{"build", JobStatus::kSuccess, 0, 0, 80}}));
  Aggregate b = edge.Finish();
  ASSERT_EQ(b.pipelines.size(), 1u);  // the window's start belongs to it
  EXPECT_EQ(b.pipelines[0].duration.p50, 100);
  EXPECT_FALSE(b.pipelines[0].previous_p50_ms);
}

}  // namespace
}  // namespace gauntlet::insight
