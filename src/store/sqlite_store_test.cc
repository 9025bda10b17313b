#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "store/sqlite_schema.h"

namespace gauntlet::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/.gauntlet/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteStore> OpenStore() {
    auto s = SqliteStore::Open(path_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::string dir_;
  std::string path_;
};

RunRecord SampleRun() {
  RunRecord r;
  r.pipeline = "ci";
  r.file = "gauntlet.yml";
  r.status = RunStatus::kRunning;
  r.reason = "";
  r.started_ms = 1700000000123;
  r.git_commit = "0123456789abcdef0123456789abcdef01234567";
  r.git_branch = "main";
  r.author_name = "Ada Lovelace";
  r.author_email = "ada@example.com";
  r.subject = "Add the \"engine\"";
  r.trailers = {{"Task-ID", "42"}, {"Co-authored-by", "A <a@x>"}, {"Co-authored-by", "B <b@x>"}};
  r.engine_pid = 4242;
  r.engine_host = "build-1";
  r.options_json = R"({"jobs":4,"select":["unit"]})";
  r.plan_fingerprint = "fp-1";
  return r;
}

void ExpectSameRun(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.pipeline, b.pipeline);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.started_ms, b.started_ms);
  EXPECT_EQ(a.finished_ms, b.finished_ms);
  EXPECT_EQ(a.git_commit, b.git_commit);
  EXPECT_EQ(a.git_branch, b.git_branch);
  EXPECT_EQ(a.author_name, b.author_name);
  EXPECT_EQ(a.author_email, b.author_email);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.trailers, b.trailers);
  EXPECT_EQ(a.engine_pid, b.engine_pid);
  EXPECT_EQ(a.engine_host, b.engine_host);
  EXPECT_EQ(a.options_json, b.options_json);
  EXPECT_EQ(a.plan_fingerprint, b.plan_fingerprint);
}

TEST(StoreRecordsTest, StatusSpellingsRoundTrip) {
  for (auto s : {RunStatus::kQueued, RunStatus::kRunning, RunStatus::kSuccess, RunStatus::kFailed,
                 RunStatus::kCancelled, RunStatus::kInterrupted, RunStatus::kSkipped}) {
    EXPECT_EQ(ParseRunStatus(ToString(s)), s);
  }
  for (auto s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess, JobStatus::kFailed,
                 JobStatus::kSkipped, JobStatus::kCancelled, JobStatus::kCached}) {
    EXPECT_EQ(ParseJobStatus(ToString(s)), s);
  }
  EXPECT_EQ(ToString(RunStatus::kInterrupted), "interrupted");
  EXPECT_EQ(ParseRunStatus("bogus"), std::nullopt);
}

TEST_F(SqliteStoreTest, RunRoundTripsAndUpdates) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  RunRecord r = SampleRun();
  auto id = store->CreateRun(r);
  ASSERT_TRUE(id.ok()) << id.error().message;
  r.id = *id;
  auto got = store->GetRun(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameRun(**got, r);

  r.status = RunStatus::kFailed;
  r.reason = "job unit failed";
  r.finished_ms = r.started_ms + 5000;
  ASSERT_TRUE(store->UpdateRun(r).ok());
  got = store->GetRun(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameRun(**got, r);

  auto missing = store->GetRun(999);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  RunRecord ghost = r;
  ghost.id = 999;
  EXPECT_FALSE(store->UpdateRun(ghost).ok());
}

TEST_F(SqliteStoreTest, RunIdsIncreaseAndListFilters) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  std::vector<RunId> ids;
  for (int i = 0; i < 6; ++i) {
    RunRecord r = SampleRun();
    r.pipeline = i % 2 == 0 ? "ci" : "deploy";
    r.status = i < 4 ? RunStatus::kSuccess : RunStatus::kFailed;
    r.git_branch = i == 5 ? "feature" : "main";
    auto id = store->CreateRun(r);
    ASSERT_TRUE(id.ok());
    if (!ids.empty()) {
      EXPECT_GT(*id, ids.back());
    }
    ids.push_back(*id);
  }
  RunFilter all;
  auto runs = store->ListRuns(all);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 6u);
  EXPECT_EQ(runs->front().id, ids[5]);  // newest first

  RunFilter f;
  f.pipeline = "ci";
  runs = store->ListRuns(f);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 3u);

  f = {};
  f.status = RunStatus::kFailed;
  f.limit = 1;
  runs = store->ListRuns(f);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, ids[5]);

  f = {};
  f.branch = "feature";
  runs = store->ListRuns(f);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);

  f = {};
  f.before_id = ids[2];
  runs = store->ListRuns(f);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ(runs->front().id, ids[1]);

  auto latest = store->LatestRun("deploy");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, ids[5]);
  latest = store->LatestRun(std::nullopt);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, ids[5]);
  latest = store->LatestRun("nope");
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

TEST_F(SqliteStoreTest, JobLifecycleAttemptsOutputsAndMetrics) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto run = store->CreateRun(SampleRun());
  ASSERT_TRUE(run.ok());

  ASSERT_TRUE(store->JobStarted(*run, 0, "build", 1000, 1).ok());
  AttemptRecord a1{*run, 0, 1, 1, 0, false, 120, 80, 20, 5000, 1000, 1120};
  ASSERT_TRUE(store->AttemptFinished(a1).ok());
  ASSERT_TRUE(store->JobStarted(*run, 0, "build", 1500, 2).ok());  // the retry
  AttemptRecord a2{*run, 0, 2, -1, 9, true, 3000, 10, 5, 7000, 1500, 4500};
  ASSERT_TRUE(store->AttemptFinished(a2).ok());
  ASSERT_TRUE(store
                  ->JobFinished(*run, 0, "build", JobStatus::kFailed, 4500,
                                {{"artifact", "out.tar"}, {"sha", "abc"}}, "timed out")
                  .ok());
  // Never started: finished directly.
  ASSERT_TRUE(
      store->JobFinished(*run, 1, "deploy", JobStatus::kSkipped, 4600, {}, "needs build").ok());
  JobRecord pending{*run, 2, "notify", JobStatus::kPending, "", 0, 0, 0, {}, 0, ""};
  ASSERT_TRUE(store->UpsertJob(pending).ok());
  ASSERT_TRUE(store->SetMetric(*run, "coverage", 81.5).ok());
  ASSERT_TRUE(store->SetMetric(*run, "coverage", 82.25).ok());

  auto jobs = store->GetJobs(*run);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 3u);
  const JobRecord& b = (*jobs)[0];
  EXPECT_EQ(b.name, "build");
  EXPECT_EQ(b.status, JobStatus::kFailed);
  EXPECT_EQ(b.reason, "timed out");
  EXPECT_EQ(b.started_ms, 1000);  // the first start is kept
  EXPECT_EQ(b.finished_ms, 4500);
  EXPECT_EQ(b.attempts, 2);
  EXPECT_EQ(b.outputs.at("artifact"), "out.tar");
  EXPECT_EQ((*jobs)[1].status, JobStatus::kSkipped);
  EXPECT_EQ((*jobs)[1].attempts, 0);
  EXPECT_EQ((*jobs)[2].status, JobStatus::kPending);

  auto attempts = store->GetAttempts(*run, 0);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  const AttemptRecord& g = (*attempts)[1];
  EXPECT_EQ(g.number, 2);
  EXPECT_EQ(g.exit_code, -1);
  EXPECT_EQ(g.signal, 9);
  EXPECT_TRUE(g.timed_out);
  EXPECT_EQ(g.wall_ms, 3000);
  EXPECT_EQ(g.user_cpu_ms, 10);
  EXPECT_EQ(g.sys_cpu_ms, 5);
  EXPECT_EQ(g.max_rss_kb, 7000);
  EXPECT_EQ(g.started_ms, 1500);
  EXPECT_EQ(g.finished_ms, 4500);
  EXPECT_FALSE((*attempts)[0].timed_out);
  EXPECT_EQ((*attempts)[0].exit_code, 1);
  auto none = store->GetAttempts(*run, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto outputs = store->GetOutputs(*run);
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ(outputs->at("build").at("sha"), "abc");

  auto metrics = store->GetMetrics(*run);
  ASSERT_TRUE(metrics.ok());
  EXPECT_DOUBLE_EQ(metrics->at("coverage"), 82.25);
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  RunId id;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    auto r = store->CreateRun(SampleRun());
    ASSERT_TRUE(r.ok());
    id = *r;
    ASSERT_TRUE(store->JobStarted(id, 0, "a", 1, 1).ok());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto jobs = store->GetJobs(id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].status, JobStatus::kRunning);
}

TEST_F(SqliteStoreTest, BatchIsInvisibleToReadersUntilCommit) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto run = store->CreateRun(SampleRun());
  ASSERT_TRUE(run.ok());
  {
    Batch batch(*store);
    ASSERT_TRUE(batch.status().ok());
    ASSERT_TRUE(store->JobStarted(*run, 0, "a", 1, 1).ok());
    ASSERT_TRUE(store->JobStarted(*run, 1, "b", 1, 1).ok());
    auto jobs = store->GetJobs(*run);  // readers see committed state only
    ASSERT_TRUE(jobs.ok());
    EXPECT_TRUE(jobs->empty());
    ASSERT_TRUE(batch.Commit().ok());
  }
  auto jobs = store->GetJobs(*run);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 2u);

  {
    Batch abandoned(*store);
    ASSERT_TRUE(store->JobStarted(*run, 2, "c", 1, 1).ok());
  }  // rolled back
  jobs = store->GetJobs(*run);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 2u);

  EXPECT_FALSE(store->Commit().ok());  // no batch open
  ASSERT_TRUE(store->Begin().ok());
  EXPECT_FALSE(store->Begin().ok());  // no nesting
  store->Rollback();
}

TEST_F(SqliteStoreTest, FindsRunsWhoseEngineDied) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  RunRecord live = SampleRun();
  live.engine_host = "here";
  live.engine_pid = getpid();
  RunRecord dead = live;
  dead.engine_pid = 1 << 30;  // above pid_max: cannot exist
  RunRecord elsewhere = dead;
  elsewhere.engine_host = "there";
  RunRecord done = dead;
  done.status = RunStatus::kSuccess;
  ASSERT_TRUE(store->CreateRun(live).ok());
  auto dead_id = store->CreateRun(dead);
  ASSERT_TRUE(dead_id.ok());
  ASSERT_TRUE(store->CreateRun(elsewhere).ok());
  ASSERT_TRUE(store->CreateRun(done).ok());

  EXPECT_TRUE(ProcessAlive(getpid()));
  EXPECT_FALSE(ProcessAlive(1 << 30));
  auto found = store->FindInterruptedRuns("here", ProcessAlive);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, *dead_id);
  EXPECT_FALSE(HostName().empty());
}

TEST_F(SqliteStoreTest, MigratesAVersion1Database) {
  std::filesystem::create_directories(dir_ + "/.gauntlet");
  {
    // A database as gauntlet schema version 1 left it, written by hand.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    std::string sql = std::string(Migrations()[0]) +
                      "INSERT INTO runs (pipeline, file, status) VALUES ('ci', 'g.yml', 'success');"
                      "INSERT INTO jobs (run_id, idx, name, status, attempts) "
                      "VALUES (1, 0, 'a', 'success', 2);"
                      "INSERT INTO attempts (run_id, job_idx, number, exit_code, wall_ms) "
                      "VALUES (1, 0, 2, 0, 42);"
                      "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto run = store->GetRun(1);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->pipeline, "ci");
  EXPECT_EQ((*run)->plan_fingerprint, "");          // the column added by version 2
  ASSERT_TRUE(store->SetMetric(1, "m", 1.0).ok());  // the table added by version 2
  auto jobs = store->GetJobs(1);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].attempts, 2);  // kept through the WITHOUT ROWID rebuild
  auto attempts = store->GetAttempts(1, 0);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].wall_ms, 42);
  store.reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), CurrentSchemaVersion());
  sqlite3_finalize(st);
  // jobs and attempts are keyed tables now: they have no rowid.
  for (const char* table : {"jobs", "attempts"}) {
    std::string sql = std::string("SELECT rowid FROM ") + table;
    EXPECT_NE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << table;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
  std::filesystem::create_directories(dir_ + "/.gauntlet");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(CurrentSchemaVersion() + 1);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = SqliteStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  std::filesystem::create_directories(dir_ + "/.gauntlet");
  FILE* f = fopen(path_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("this is not a database, just some text that is long enough to matter\n", f);
  fclose(f);
  EXPECT_FALSE(SqliteStore::Open(path_).ok());
}

TEST_F(SqliteStoreTest, ConcurrentReaderSeesOnlyWholeBatches) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto run = store->CreateRun(SampleRun());
  ASSERT_TRUE(run.ok());
  constexpr int kBatches = 50, kPerBatch = 4;
  std::atomic<bool> done = false;
  std::atomic<int> torn = 0, midway = 0, reads = 0;
  std::thread reader([&] {
    while (!done) {
      auto jobs = store->GetJobs(*run);
      if (jobs.ok() && jobs->size() % kPerBatch != 0) ++torn;
      if (jobs.ok() && !jobs->empty() && jobs->size() < size_t{kBatches * kPerBatch}) ++midway;
      ++reads;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int b = 0; b < kBatches; ++b) {
    Batch batch(*store);
    for (int k = 0; k < kPerBatch; ++k) {
      ASSERT_TRUE(
          store->JobStarted(*run, b * kPerBatch + k, "j" + std::to_string(b * kPerBatch + k), 1, 1)
              .ok());
    }
    // Mid-batch, and after the commit: the reader gets a look at both moments (on a
    // loaded machine it could otherwise get no CPU until the writer is done, and then
    // nothing would have been checked).
    for (int phase = 0; phase < 2; ++phase) {
      if (phase == 1) {
        ASSERT_TRUE(batch.Commit().ok());
      }
      const int seen = reads.load();
      while (reads.load() < seen + 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_GT(midway, 0) << "the reader never looked while the batches were being written";
  auto jobs = store->GetJobs(*run);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), size_t{kBatches * kPerBatch});
}

// A child process writes batches (4 jobs + 4 attempts + a metric each) and
// reports each commit on a pipe; the parent SIGKILLs it at varying points.
// Afterwards the database must be intact, every batch all-or-nothing, and every
// batch reported as committed present.
TEST_F(SqliteStoreTest, SigkillAtRandomPointsKeepsBatchesWhole) {
  constexpr int kPerBatch = 4;
  std::mt19937 rng(12345);
  for (int round = 0; round < 5; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      auto opened = SqliteStore::Open(path_);
      if (!opened.ok()) _exit(2);
      SqliteStore& s = **opened;
      RunRecord r = SampleRun();
      auto run = s.CreateRun(r);
      if (!run.ok()) _exit(3);
      for (int b = 0;; ++b) {
        if (!s.Begin().ok()) _exit(4);
        for (int k = 0; k < kPerBatch; ++k) {
          int idx = b * kPerBatch + k;
          (void)s.JobStarted(*run, idx, "job" + std::to_string(idx), b, 1);
          (void)s.AttemptFinished(AttemptRecord{*run, idx, 1, 0, 0, false, 1, 1, 1, 1, b, b});
        }
        (void)s.SetMetric(*run, "batch" + std::to_string(b), b);
        if (!s.Commit().ok()) _exit(5);
        int64_t msg[2] = {*run, b};
        if (write(fds[1], msg, sizeof(msg)) != sizeof(msg)) _exit(6);
      }
    }
    close(fds[1]);
    const int kill_after = std::uniform_int_distribution<int>(1, 40)(rng);
    int64_t msg[2] = {0, -1};
    for (int seen = 0; seen < kill_after; ++seen) {
      ASSERT_EQ(read(fds[0], msg, sizeof(msg)), static_cast<ssize_t>(sizeof(msg)));
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    close(fds[0]);
    const RunId run = msg[0];
    const int64_t last_reported = msg[1];

    // Integrity, checked by SQLite itself.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);

    auto store = OpenStore();
    ASSERT_TRUE(store);
    auto jobs = store->GetJobs(run);
    auto attempts = store->GetAttempts(run, std::nullopt);
    auto metrics = store->GetMetrics(run);
    ASSERT_TRUE(jobs.ok() && attempts.ok() && metrics.ok());
    const size_t batches = metrics->size();
    EXPECT_GE(static_cast<int64_t>(batches), last_reported + 1) << "a reported commit was lost";
    EXPECT_EQ(jobs->size(), batches * kPerBatch) << "round " << round;
    EXPECT_EQ(attempts->size(), batches * kPerBatch);
    for (size_t b = 0; b < batches; ++b) EXPECT_TRUE(metrics->count("batch" + std::to_string(b)));
  }
}

}  // namespace
}  // namespace gauntlet::store
