#include "store/run_recorder.h"

#include <gtest/gtest.h>

#include <memory>

#include "cache/test_dir.h"
#include "exec/scheduler_test_util.h"
#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

// A real store and log under a temporary directory; a second connection reads what
// the recorder committed, as `gauntlet status` in another terminal would.
struct RecorderTest : ::testing::Test {
  cache::TestDir dir;
  exec::testing::PlanBuilder b;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<SqliteStore> reader;
  std::unique_ptr<LogWriter> log;
  RunRecord run;
  UnixMs now = 1000;
  std::unique_ptr<RunRecorder> recorder;

  void SetUp() override {
    b.Add("build", "true");
    b.Add("test", "true");
    auto s = SqliteStore::Open(dir / "state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
    auto r = SqliteStore::Open(dir / "state.db");
    ASSERT_TRUE(r.ok()) << r.error().message;
    reader = std::move(*r);
    run.pipeline = "demo";
    run.status = RunStatus::kRunning;
    auto id = store->CreateRun(run);
    ASSERT_TRUE(id.ok());
    run.id = *id;
    auto l = LogWriter::Open(dir / "logs", run.id);
    ASSERT_TRUE(l.ok());
    log = std::move(*l);
    recorder = std::make_unique<RunRecorder>(store.get(), log.get(), &run, [this] { return now; });
    recorder->OnRunStarted(b.plan);
  }

  JobRecord Job(int index) {
    auto jobs = reader->GetJobs(run.id);
    EXPECT_TRUE(jobs.ok());
    if (!jobs.ok() || index >= static_cast<int>(jobs->size())) return {};
    return (*jobs)[index];
  }

  exec::AttemptResult Exit(int code) {
    exec::AttemptResult a;
    a.exit_code = code;
    a.wall = exec::Micros(5000);
    return a;
  }
};

TEST_F(RecorderTest, EveryJobIsPendingFromTheStart) {
  EXPECT_EQ(Job(0).status, JobStatus::kPending);
  EXPECT_EQ(Job(1).status, JobStatus::kPending);
}

TEST_F(RecorderTest, AJobFinishedBetweenCommitPointsGetsOneRowWithItsStart) {
  const plan::PlannedJob& build = b.plan.jobs[0];
  recorder->OnJobStarted(build, 1);
  now = 1400;
  recorder->OnAttemptFinished(build, 1, Exit(0));
  exec::JobResult r;
  r.state = exec::JobState::kSuccess;
  r.attempts = 1;
  recorder->OnJobFinished(build, r);
  EXPECT_EQ(Job(0).status, JobStatus::kPending);  // nothing committed before the commit point
  recorder->Flush();
  ASSERT_TRUE(recorder->status().ok()) << recorder->status().error().message;
  JobRecord j = Job(0);
  EXPECT_EQ(j.status, JobStatus::kSuccess);
  EXPECT_EQ(j.started_ms, 1000);
  EXPECT_EQ(j.finished_ms, 1400);
  EXPECT_EQ(j.attempts, 1);
  auto attempts = reader->GetAttempts(run.id, 0);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].wall_ms, 5);
}

// `gauntlet insight` (docs/insight.md): a job is ready when the last of its needs
// finished, or when the run started; the gap to its start is its wait for a slot.
TEST_F(RecorderTest, ReadyTimesComeFromTheRunStartAndTheLastNeedsFinish) {
  exec::testing::PlanBuilder p;
  p.Add("a", "true");
  p.Add("b", "true");
  p.Add("c", "true", {0, 1});
  RunRecord second;
  second.pipeline = "demo";
  auto id = store->CreateRun(second);
  ASSERT_TRUE(id.ok());
  second.id = *id;
  RunRecorder rec(store.get(), log.get(), &second, [this] { return now; });
  now = 5000;
  rec.OnRunStarted(p.plan);
  exec::JobResult ok;
  ok.state = exec::JobState::kSuccess;
  ok.attempts = 1;
  auto finish = [&](int job, UnixMs start, UnixMs end) {
    now = start;
    rec.OnJobStarted(p.plan.jobs[job], 1);
    now = end;
    rec.OnJobFinished(p.plan.jobs[job], ok);
  };
  finish(0, 5000, 5200);  // a: ready at the start, no wait
  finish(1, 5200, 5900);  // b: waited 200 ms for a's slot
  finish(2, 6000, 6100);  // c: ready when b (the later need) finished: waited 100 ms
  rec.Flush();
  ASSERT_TRUE(rec.status().ok()) << rec.status().error().message;
  auto jobs = reader->GetJobs(second.id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[0].ready_ms, 5000);
  EXPECT_EQ((*jobs)[1].ready_ms, 5000);
  EXPECT_EQ((*jobs)[1].started_ms, 5200);
  EXPECT_EQ((*jobs)[2].ready_ms, 5900);
  EXPECT_EQ((*jobs)[2].started_ms, 6000);
}

// docs/state.md: logs are flushed to the file just before the commit, so a job another
// process sees as finished has its output readable too (`gauntlet logs` mid-run).
TEST_F(RecorderTest, AJobsOutputIsInTheLogFileWhenItsResultCommits) {
  const plan::PlannedJob& build = b.plan.jobs[0];
  recorder->OnJobStarted(build, 1);
  recorder->OnOutput(build, 1, "compiled\n");
  recorder->OnAttemptFinished(build, 1, Exit(0));
  exec::JobResult r;
  r.state = exec::JobState::kSuccess;
  r.attempts = 1;
  recorder->OnJobFinished(build, r);
  LogReader logs(dir / "logs");
  // What another process reads at the instant before the job's row commits: the job
  // still pending, its whole output already in the log file.
  std::vector<std::string> seen;
  recorder->BeforeCommit([&] {
    auto text = logs.ReadJob(run.id, 0, std::nullopt);
    seen.push_back(std::string(ToString(Job(0).status)) + ":" +
                   (text.ok() ? *text : "<" + text.error().message + ">"));
  });
  recorder->Idle();  // rows written into the open batch; nothing flushed or committed yet
  EXPECT_EQ(Job(0).status, JobStatus::kPending);
  EXPECT_TRUE(seen.empty());
  recorder->Flush();
  ASSERT_EQ(Job(0).status, JobStatus::kSuccess);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "pending:compiled\n") << "the log was not on disk when the row committed";
}

TEST_F(RecorderTest, AJobStillRunningAtACommitPointIsRecordedAsRunning) {
  const plan::PlannedJob& test = b.plan.jobs[1];
  recorder->OnJobStarted(test, 1);
  recorder->Flush();
  JobRecord j = Job(1);
  EXPECT_EQ(j.status, JobStatus::kRunning);
  EXPECT_EQ(j.started_ms, 1000);
  EXPECT_EQ(j.attempts, 1);

  // Its retry: the attempt count follows, the first start is kept.
  now = 2000;
  recorder->OnAttemptFinished(test, 1, Exit(1));
  recorder->OnJobStarted(test, 2);
  recorder->Flush();
  j = Job(1);
  EXPECT_EQ(j.status, JobStatus::kRunning);
  EXPECT_EQ(j.started_ms, 1000);
  EXPECT_EQ(j.attempts, 2);

  now = 3000;
  recorder->OnAttemptFinished(test, 2, Exit(1));
  exec::JobResult r;
  r.state = exec::JobState::kFailed;
  r.attempts = 2;
  r.reason = "exit code 1";
  recorder->OnJobFinished(test, r);
  recorder->Flush();
  j = Job(1);
  EXPECT_EQ(j.status, JobStatus::kFailed);
  EXPECT_EQ(j.reason, "exit code 1");
  EXPECT_EQ(j.started_ms, 1000);
  EXPECT_EQ(j.finished_ms, 3000);
  EXPECT_EQ(j.attempts, 2);
  auto attempts = reader->GetAttempts(run.id, 1);
  ASSERT_TRUE(attempts.ok());
  EXPECT_EQ(attempts->size(), 2u);
}

TEST_F(RecorderTest, AJobThatNeverStartedHasNoStartTime) {
  exec::JobResult r;
  r.state = exec::JobState::kSkipped;
  r.reason = "a needed job failed";
  recorder->OnJobFinished(b.plan.jobs[1], r);
  recorder->Flush();
  JobRecord j = Job(1);
  EXPECT_EQ(j.status, JobStatus::kSkipped);
  EXPECT_EQ(j.started_ms, 0);
  EXPECT_EQ(j.attempts, 0);
}

// A cache hit moves its entry's last use only when that was a minute or more ago: both
// sides of the boundary, one job each.
TEST_F(RecorderTest, AHitMovesTheEntrysLastUseOnlyWhenThatWasAMinuteOrMoreAgo) {
  now = 1'000'000;
  const UnixMs minute = RunRecorder::kCacheUseResolutionMs;
  auto put = [&](const std::string& key, UnixMs last_used) {
    CacheEntry e;
    e.key = key;
    e.pipeline = "demo";
    e.job = key;
    e.created_ms = 1;
    e.last_used_ms = last_used;
    ASSERT_TRUE(store->PutCacheEntry(e).ok());
  };
  put("old", now - minute);
  put("recent", now - minute + 1);
  auto hit = [&](int job, const std::string& key, UnixMs last_used) {
    exec::JobResult r;
    r.state = exec::JobState::kSuccess;
    r.cached = true;
    r.cache_key = key;
    r.cache_last_used_ms = last_used;
    recorder->OnJobFinished(b.plan.jobs[job], r);
  };
  hit(0, "old", now - minute);
  hit(1, "recent", now - minute + 1);
  recorder->Flush();
  ASSERT_TRUE(recorder->status().ok()) << recorder->status().error().message;
  auto old = reader->FindCacheEntry("old");
  auto recent = reader->FindCacheEntry("recent");
  ASSERT_TRUE(old.ok() && *old && recent.ok() && *recent);
  EXPECT_EQ((*old)->last_used_ms, now);
  EXPECT_EQ((*recent)->last_used_ms, now - minute + 1);
}

}  // namespace
}  // namespace gauntlet::store
