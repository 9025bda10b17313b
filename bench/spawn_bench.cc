// Per-job overhead: 2,000 `/bin/sh -c true` at -j2 through
//  - a raw posix_spawn + waitpid loop (the floor: no pipes, no event loop),
//  - libuv (uv_spawn with a stdout pipe, its own SIGCHLD reaping),
//  - exec::LocalRunner (posix_spawn + epoll + pidfd + wait4 rusage),
//  - exec::Scheduler on a 2,000-job plan (ready tracking, env, observer) over LocalRunner,
//    and on 5,000 `echo` jobs with the plain progress output and a run log file observed.
// Results are in docs/performance.md.
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>
#include <uv.h>

#include "exec/local_runner.h"
#include "exec/progress.h"
#include "exec/scheduler.h"

extern "C" char** environ;

namespace {

constexpr int kJobs = 2000;
constexpr int kParallel = 2;
const char* const kArgv[] = {"/bin/sh", "-c", "true", nullptr};

void BM_RawPosixSpawnWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    int started = 0, running = 0;
    while (started < kJobs || running > 0) {
      while (started < kJobs && running < kParallel) {
        pid_t pid;
        posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(kArgv), environ);
        ++started;
        ++running;
      }
      int status;
      if (waitpid(-1, &status, 0) > 0) --running;
    }
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
}
BENCHMARK(BM_RawPosixSpawnWaitpid)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

struct UvBench {
  uv_loop_t* loop;
  int started = 0, running = 0;
};
struct UvJob {
  uv_process_t proc;
  uv_pipe_t pipe;
  UvBench* bench;
  int closes = 0;
};
void UvStart(UvBench* b);
void UvClosed(uv_handle_t* h) {
  auto* j = static_cast<UvJob*>(h->data);
  if (++j->closes == 2) delete j;
}
void UvAlloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  static char mem[65536];  // benchmark only
  *buf = uv_buf_init(mem, sizeof mem);
}
void UvRead(uv_stream_t* s, ssize_t n, const uv_buf_t*) {
  if (n < 0) uv_close(reinterpret_cast<uv_handle_t*>(s), UvClosed);
}
void UvExit(uv_process_t* p, int64_t, int) {
  auto* j = static_cast<UvJob*>(p->data);
  UvBench* b = j->bench;
  uv_close(reinterpret_cast<uv_handle_t*>(p), UvClosed);
  --b->running;
  UvStart(b);
}
void UvStart(UvBench* b) {
  while (b->started < kJobs && b->running < kParallel) {
    auto* j = new UvJob;
    j->bench = b;
    j->proc.data = j;
    j->pipe.data = j;
    uv_pipe_init(b->loop, &j->pipe, 0);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&j->pipe);
    stdio[2].flags = UV_IGNORE;  // libuv cannot share the new pipe with stderr at spawn
    uv_process_options_t o{};
    o.exit_cb = UvExit;
    o.file = "/bin/sh";
    o.args = const_cast<char**>(kArgv);
    o.stdio = stdio;
    o.stdio_count = 3;
    o.flags = UV_PROCESS_DETACHED;  // own process group, like ours
    if (uv_spawn(b->loop, &j->proc, &o) != 0) std::abort();
    uv_read_start(reinterpret_cast<uv_stream_t*>(&j->pipe), UvAlloc, UvRead);
    ++b->started;
    ++b->running;
  }
}
void BM_Libuv(benchmark::State& state) {
  for (auto _ : state) {
    UvBench b;
    b.loop = uv_default_loop();
    UvStart(&b);
    uv_run(b.loop, UV_RUN_DEFAULT);
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
}
BENCHMARK(BM_Libuv)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_LocalRunner(benchmark::State& state) {
  using namespace gauntlet::exec;
  auto runner = std::move(LocalRunner::Create({})).value();
  struct Count : ProcessRunner::Delegate {
    int done = 0;
    void OnOutput(ProcId, std::string_view) override {}
    void OnExit(ProcId, const AttemptResult&) override { ++done; }
  };
  SpawnRequest req;
  req.shell = "/bin/sh";
  req.script = "true";
  for (auto _ : state) {
    Count c;
    int started = 0;
    while (c.done < kJobs) {
      while (started < kJobs && runner->running() < kParallel) {
        if (!runner->Start(req).ok()) std::abort();
        ++started;
      }
      if (!runner->Poll(gauntlet::TimePoint::max(), &c).ok()) std::abort();
    }
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
}
BENCHMARK(BM_LocalRunner)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// A log observer like the store's: every output chunk appended to one run log file.
struct OneLogFile : gauntlet::exec::Observer {
  FILE* f = std::fopen("/tmp/gauntlet-bench.log", "w");
  ~OneLogFile() override { std::fclose(f); }
  void OnOutput(const gauntlet::plan::PlannedJob&, int, std::string_view b) override {
    std::fwrite(b.data(), 1, b.size(), f);
  }
  void Flush() override { std::fflush(f); }
};

// state.range(0) jobs `/bin/sh -c true`; range(1): 1 = plain progress + a log file observed.
void BM_Scheduler(benchmark::State& state) {
  using namespace gauntlet;
  const int jobs = static_cast<int>(state.range(0));
  spec::Pipeline pipeline;
  pipeline.jobs.reserve(jobs);
  plan::Plan plan;
  plan.pipeline = &pipeline;
  for (int i = 0; i < jobs; ++i) {
    spec::Job j;
    j.name = "j" + std::to_string(i);
    j.commands = {"echo " + j.name};
    pipeline.jobs.push_back(j);
    plan::PlannedJob p;
    p.id = i;
    p.name = j.name;
    p.base_name = j.name;
    p.spec = &pipeline.jobs.back();
    p.shell = "/bin/sh";
    plan.jobs.push_back(p);
  }
  FILE* devnull = std::fopen("/dev/null", "w");
  for (auto _ : state) {
    auto runner = std::move(exec::LocalRunner::Create({})).value();
    exec::ObserverList observers;
    exec::Progress progress(
        {}, [&](std::string_view s) { std::fwrite(s.data(), 1, s.size(), devnull); });
    OneLogFile log;
    if (state.range(1)) {
      observers.Add(&progress);
      observers.Add(&log);
    }
    exec::SchedulerOptions o;
    o.parallelism = kParallel;
    o.run_dir = "/tmp";
    exec::Scheduler s(plan, runner.get(), &observers, o);
    if (s.Run().succeeded != jobs) std::abort();
  }
  std::fclose(devnull);
  state.SetItemsProcessed(state.iterations() * jobs);
}
BENCHMARK(BM_Scheduler)
    ->Args({2000, 0})
    ->Args({5000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
