// The engine as a library: runs started from threads of one process, with real processes,
// real SQLite stores and real log files in temporary workspaces.
#include "engine/run.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cache/test_dir.h"
#include "store/open.h"

namespace gauntlet::engine {
namespace {

std::string Canonical(const std::string& p) { return std::filesystem::canonical(p).string(); }

std::string Cwd() { return std::filesystem::current_path().string(); }

// Signals OnJobStarted to a waiting test thread.
class StartWatch : public exec::Observer {
 public:
  void OnJobStarted(const plan::PlannedJob&, int) override {
    std::lock_guard lock(mu_);
    started_ = true;
    cv_.notify_all();
  }
  bool WaitStarted(std::chrono::seconds deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [this] { return started_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
};

// A workspace with its pipeline loaded, and a request for it.
struct Workspace1 {
  explicit Workspace1(const std::string& yaml) {
    dir.Write("gauntlet.yml", yaml);
    loaded = LoadPipeline(dir / "gauntlet.yml", "");
    EXPECT_TRUE(loaded.ok()) << loaded.problems.Format("", false);
  }
  RunRequest Request() {
    RunRequest r;
    r.pipeline = &loaded;
    r.workspace = WorkspaceForFile(loaded.file, "");
    return r;
  }
  cache::TestDir dir;
  LoadedPipeline loaded;
};

// A workspace whose job `wait` runs until it is cancelled (`more_jobs` adds jobs after
// it), and a run of it.
struct StuckRun {
  explicit StuckRun(const std::string& more_jobs = "")
      : w("name: stuck\n"
          "defaults: { shell: sh, timeout: 60s }\n"
          "jobs:\n"
          "  wait: { run: exec tail -f /dev/null }\n" +
          more_jobs) {}
  // A test that stopped half-way does not wait out the job's timeout.
  ~StuckRun() {
    if (handle) handle->Cancel();
  }
  // Starts the run and returns once `wait` is running.
  void StartAndAwaitTheJob() {
    RunRequest req = w.Request();
    req.observer = &started;
    auto h = StartRun(std::move(req));
    ASSERT_TRUE(h.ok()) << h.error().message;
    handle = std::move(*h);
    ASSERT_TRUE(started.WaitStarted(std::chrono::seconds(30))) << "the job never started";
  }
  Workspace1 w;
  StartWatch started;  // outlives the run, which reports to it
  std::unique_ptr<RunHandle> handle;
};

// Each job says where it ran and hands that on as an output; the two runs meet at a
// rendezvous of two FIFOs, so each must be running while the other is (opening a FIFO
// blocks until the other side opens it). Run one after the other, they would block until
// the jobs' timeout.
std::string Pipeline(const std::string& name, const std::string& fifos, bool first) {
  std::string meet = first ? "echo hi > " + fifos + "/ab; read x < " + fifos + "/ba"
                           : "read x < " + fifos + "/ab; echo hi > " + fifos + "/ba";
  return "name: " + name +
         "\n"
         "defaults: { shell: sh, timeout: 60s }\n"
         "jobs:\n"
         "  where:\n"
         "    run: pwd > where.txt && echo \"dir=$(pwd)\" >> \"$GAUNTLET_OUTPUT\"\n"
         "  meet:\n"
         "    needs: [where]\n"
         "    run: " +
         meet +
         " && echo " + name +
         " > ran.txt\n";
}

TEST(EngineRunTest, TwoPipelinesInTwoDirectoriesRunAtOnceFromTwoThreads) {
  cache::TestDir fifos;
  ASSERT_EQ(mkfifo((fifos / "ab").c_str(), 0600), 0);
  ASSERT_EQ(mkfifo((fifos / "ba").c_str(), 0600), 0);
  Workspace1 a(Pipeline("alpha", fifos.path(), true));
  Workspace1 b(Pipeline("beta", fifos.path(), false));
  const std::string cwd = Cwd();

  RunOutcome out[2];
  Workspace1* ws[2] = {&a, &b};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto handle = StartRun(ws[i]->Request());
      ASSERT_TRUE(handle.ok()) << handle.error().message;
      out[i] = (*handle)->Wait();
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(Cwd(), cwd);  // the process's directory never moved
  const char* names[2] = {"alpha", "beta"};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(names[i]);
    const std::string root = Canonical(ws[i]->dir.path());
    EXPECT_EQ(out[i].state, exec::RunState::kSuccess);
    EXPECT_EQ(out[i].run.pipeline, names[i]);
    // Jobs ran in their own workspace, and their outputs stayed with their run.
    EXPECT_EQ(ws[i]->dir.Read("where.txt"), root + "\n");
    EXPECT_EQ(ws[i]->dir.Read("ran.txt"), std::string(names[i]) + "\n");
    ASSERT_EQ(out[i].results[0].outputs.size(), 1u);
    EXPECT_EQ(out[i].results[0].outputs[0].second, root);
    // Each run is recorded in its own store, with its own log file.
    auto st = store::OpenStore(ws[i]->Request().workspace.store_url());
    ASSERT_TRUE(st.ok());
    auto runs = (*st)->ListRuns({});
    ASSERT_TRUE(runs.ok());
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ(runs->front().pipeline, names[i]);
    EXPECT_EQ(runs->front().status, store::RunStatus::kSuccess);
    auto jobs = (*st)->GetJobs(runs->front().id);
    ASSERT_TRUE(jobs.ok());
    ASSERT_EQ(jobs->size(), 2u);
    EXPECT_EQ(jobs->at(0).outputs.at("dir"), root);
    EXPECT_FALSE(std::filesystem::is_empty(ws[i]->dir / ".gauntlet/logs"));
  }
}

TEST(EngineRunTest, CancelFromAnotherThreadStopsTheRunAndRecordsIt) {
  StuckRun r("  after: { run: 'true', needs: [wait] }\n");
  ASSERT_NO_FATAL_FAILURE(r.StartAndAwaitTheJob());
  r.handle->Cancel();
  const RunOutcome& out = r.handle->Wait();
  EXPECT_EQ(out.state, exec::RunState::kCancelled);
  EXPECT_EQ(out.run.status, store::RunStatus::kCancelled);
  EXPECT_EQ(out.results[0].state, exec::JobState::kCancelled);
  EXPECT_EQ(out.results[1].state, exec::JobState::kCancelled);
  auto st = store::OpenStore(r.w.Request().workspace.store_url());
  ASSERT_TRUE(st.ok());
  auto run = (*st)->GetRun(r.handle->run_id());
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->status, store::RunStatus::kCancelled);
}

// One engine at a time per state directory: a second run of the same workspace in the
// same process is refused while the first holds the lock, with the kind the faces turn
// into "busy" (exit 6).
TEST(EngineRunTest, ASecondRunOfTheSameStateDirectoryIsBusy) {
  StuckRun first;
  ASSERT_NO_FATAL_FAILURE(first.StartAndAwaitTheJob());
  auto second = StartRun(first.w.Request());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kBusy) << second.error().message;
  first.handle->Cancel();
  EXPECT_EQ(first.handle->Wait().state, exec::RunState::kCancelled);
}

TEST(EngineRunTest, ARunThatCannotStartSaysWhyWithAKind) {
  Workspace1 w("name: p\njobs:\n  a: { run: 'true' }\n");
  RunRequest resume = w.Request();
  resume.options.resume = 42;
  auto r = StartRun(std::move(resume));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(r.error().message, "no run 42");

  RunRequest slurm = w.Request();
  slurm.executor = "slurm";
  r = StartRun(std::move(slurm));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);

  RunRequest none;
  r = StartRun(std::move(none));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace gauntlet::engine
