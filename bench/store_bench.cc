// The executor's bookkeeping per job: job started + attempt finished + job
// finished + 1 KiB of log, with one commit (log flush + store commit) every N
// jobs, under both SQLite sync policies. The target: next to nothing compared
// with the ~0.5 ms a process spawn costs on these disks.
//
// Runs in a temp dir under $TMPDIR (default /tmp): point it at the disk you care about.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "store/log_store.h"
#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/gauntlet-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) abort();
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

SqliteStoreOptions Sync(int64_t full) {
  SqliteStoreOptions o;
  o.sync = full != 0 ? SqliteStoreOptions::Sync::kFull : SqliteStoreOptions::Sync::kNormal;
  return o;
}

// One iteration = the bookkeeping of one job. range(0): jobs per commit;
// range(1): 1 = synchronous=FULL, 0 = NORMAL.
void BM_JobBookkeeping(benchmark::State& state) {
  const int64_t per_commit = state.range(0);
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() + "/state.db", Sync(state.range(1)));
  if (!store.ok()) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  SqliteStore& s = **store;
  auto log = LogWriter::Open(dir.path() + "/logs", 1);
  if (!log.ok()) {
    state.SkipWithError(log.error().message.c_str());
    return;
  }
  RunRecord run;
  run.pipeline = "bench";
  run.status = RunStatus::kRunning;
  const RunId id = *s.CreateRun(run);
  const std::string output(1024, 'o');
  const Outputs outputs = {{"artifact", "a.tar"}};
  int job = 0;
  bool open = false;
  std::vector<double> commit_us;  // latency of each flush + commit, for percentiles
  for (auto _ : state) {
    if (!open) {
      if (!s.Begin().ok()) state.SkipWithError("begin");
      open = true;
    }
    std::string name = "job ";  // appended, not +: GCC 12 -Wrestrict false positive at -O3
    name += std::to_string(job);
    (void)s.JobStarted(id, job, name, 1000, 1);
    (void)(*log)->Append(static_cast<uint32_t>(job), 1, output);
    (void)s.AttemptFinished(AttemptRecord{id, job, 1, 0, 0, false, 5, 3, 1, 4000, 1000, 1005});
    (void)s.JobFinished(id, job, name, JobStatus::kSuccess, 1005, outputs, "");
    ++job;
    if (job % per_commit == 0) {
      const auto t0 = std::chrono::steady_clock::now();
      (void)(*log)->Flush();
      if (!s.Commit().ok()) state.SkipWithError("commit");
      commit_us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      open = false;
    }
  }
  if (open) {
    (void)(*log)->Flush();
    (void)s.Commit();
  }
  state.SetItemsProcessed(state.iterations());
  if (!commit_us.empty()) {
    std::sort(commit_us.begin(), commit_us.end());
    auto pct = [&](double p) { return commit_us[static_cast<size_t>(p * (commit_us.size() - 1))]; };
    state.counters["commit_p50_us"] = pct(0.5);
    state.counters["commit_p99_us"] = pct(0.99);
    state.counters["commits"] = static_cast<double>(commit_us.size());
  }
  state.SetLabel(std::string(state.range(1) != 0 ? "FULL" : "NORMAL") + ", 1 commit per " +
                 std::to_string(per_commit) + " jobs");
}
BENCHMARK(BM_JobBookkeeping)
    ->ArgsProduct({{1, 8, 64}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(1.0);

// The bare cost of one small transaction (one row) under each sync policy.
void BM_SmallTransaction(benchmark::State& state) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() + "/state.db", Sync(state.range(0)));
  if (!store.ok()) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  SqliteStore& s = **store;
  RunRecord run;
  const RunId id = *s.CreateRun(run);
  int64_t i = 0;
  for (auto _ : state) {
    (void)s.Begin();
    std::string key = "m";
    key += std::to_string(i++ % 100);
    (void)s.SetMetric(id, key, 1.0);
    (void)s.Commit();
  }
  state.SetLabel(state.range(0) != 0 ? "FULL" : "NORMAL");
}
BENCHMARK(BM_SmallTransaction)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace
}  // namespace gauntlet::store

BENCHMARK_MAIN();
