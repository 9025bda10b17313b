// Planning benchmarks on layered DAGs: L layers x W jobs, each job needing two jobs of the
// previous layer, `run: "true"`. (a) load + plan from YAML text, (b) plan alone from a
// spec::Pipeline built in memory, (c) the quadratic case: a stage of N jobs after a stage
// of N jobs. Counters report time per job.
//
// Besides the Google Benchmark flags, the binary has helper modes used by
// bench/plan-vs-ninja (they must come first):
//   plan_bench --write-yaml JOBS FILE    the pipeline as a gauntlet.yml
//   plan_bench --write-ninja JOBS FILE   the same graph as build.ninja
//   plan_bench --load-plan FILE          load + plan FILE once; exit 0 when it is valid
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "core/memory.h"
#include "plan/plan.h"
#include "spec/load.h"

namespace gauntlet {
namespace {

constexpr int kWidth = 100;  // jobs per layer; layers = jobs / kWidth

std::string JobName(int layer, int i) {
  std::string name = "j";  // appended: GCC 12 -Wrestrict misfires on "j" + std::string&&
  name += std::to_string(layer);
  name += '_';
  name += std::to_string(i);
  return name;
}

// The two needs of job (layer, i): i and i+1 (wrapping) of the previous layer.
std::pair<int, int> Needs(int i) { return {i, (i + 1) % kWidth}; }

std::string LayeredYaml(int jobs) {
  std::string out = "name: bench\njobs:\n";
  out.reserve(static_cast<size_t>(jobs) * 48);
  for (int l = 0; l < jobs / kWidth; ++l) {
    for (int i = 0; i < kWidth; ++i) {
      out += "  " + JobName(l, i) + ":\n";
      if (l > 0) {
        auto [a, b] = Needs(i);
        out += "    needs: [" + JobName(l - 1, a) + ", " + JobName(l - 1, b) + "]\n";
      }
      out += "    run: \"true\"\n";
    }
  }
  return out;
}

std::string LayeredNinja(int jobs) {
  std::string out = "rule r\n  command = true\n";
  for (int l = 0; l < jobs / kWidth; ++l) {
    for (int i = 0; i < kWidth; ++i) {
      out += "build out/" + JobName(l, i) + ": r";
      if (l > 0) {
        auto [a, b] = Needs(i);
        out += " out/" + JobName(l - 1, a) + " out/" + JobName(l - 1, b);
      }
      out += "\n";
    }
  }
  return out;
}

spec::Pipeline LayeredPipeline(int jobs) {
  spec::Pipeline p;
  p.name = "bench";
  p.jobs.reserve(jobs);
  for (int l = 0; l < jobs / kWidth; ++l) {
    for (int i = 0; i < kWidth; ++i) {
      spec::Job& j = p.jobs.emplace_back();
      j.name = JobName(l, i);
      j.commands = {"true"};
      if (l > 0) {
        auto [a, b] = Needs(i);
        j.needs = {{JobName(l - 1, a), {}}, {JobName(l - 1, b), {}}};
      }
    }
  }
  return p;
}

void PerJob(benchmark::State& state, int jobs) {
  state.counters["jobs"] = jobs;
  state.counters["time_per_job"] = benchmark::Counter(
      jobs, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_LoadAndPlan(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  const std::string yaml = LayeredYaml(jobs);
  for (auto _ : state) {
    spec::LoadResult loaded = spec::LoadString(yaml, "gauntlet.yml");
    spec::Problems problems;
    plan::Plan plan = plan::Build(loaded.pipeline, &problems);
    if (!loaded.ok() || problems.has_errors()) {
      state.SkipWithError("the pipeline did not load (is the loader merged?)");
      break;
    }
    benchmark::DoNotOptimize(plan.jobs.data());
  }
  PerJob(state, jobs);
}
BENCHMARK(BM_LoadAndPlan)->Arg(1000)->Arg(5000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Plan(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  const spec::Pipeline pipeline = LayeredPipeline(jobs);
  for (auto _ : state) {
    spec::Problems problems;
    plan::Plan plan = plan::Build(pipeline, &problems);
    if (problems.has_errors()) {
      state.SkipWithError("planning failed");
      break;
    }
    benchmark::DoNotOptimize(plan.jobs.data());
  }
  PerJob(state, jobs);
}
BENCHMARK(BM_Plan)->Arg(1000)->Arg(5000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Two stages of N jobs each, the second after the first: N*N stage edges, kept exact.
void BM_PlanStages(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  spec::Pipeline p;
  p.jobs.reserve(2 * width);
  p.stages.resize(2);
  p.stages[0].name = "build";
  p.stages[1].name = "test";
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < width; ++i) {
      spec::Job& j = p.jobs.emplace_back();
      j.name = JobName(s, i);
      j.commands = {"true"};
      p.stages[s].jobs.push_back(j.name);
    }
  }
  for (auto _ : state) {
    spec::Problems problems;
    plan::Plan plan = plan::Build(p, &problems);
    benchmark::DoNotOptimize(plan.jobs.data());
  }
  state.counters["edges"] = static_cast<double>(width) * width;
  PerJob(state, 2 * width);
}
BENCHMARK(BM_PlanStages)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

bool WriteFile(const char* path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

// The helper modes; returns -1 when argv asks for none of them.
int HelperMode(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--write-yaml") == 0)
    return WriteFile(argv[3], LayeredYaml(std::atoi(argv[2]))) ? 0 : 1;
  if (argc == 4 && std::strcmp(argv[1], "--write-ninja") == 0)
    return WriteFile(argv[3], LayeredNinja(std::atoi(argv[2]))) ? 0 : 1;
  if (argc == 3 && std::strcmp(argv[1], "--load-plan") == 0) {
    core::PreferHugePages();  // as the gauntlet binary does at start (src/main.cc)
    spec::LoadResult loaded = spec::LoadFile(argv[2]);
    spec::Problems problems;
    plan::Plan plan = plan::Build(loaded.pipeline, &problems);
    if (!loaded.ok() || problems.has_errors()) {
      std::fputs(loaded.problems.Format(loaded.source).c_str(), stderr);
      std::fputs(problems.Format(loaded.source).c_str(), stderr);
      return 1;
    }
    std::printf("%zu jobs\n", plan.jobs.size());
    return 0;
  }
  return -1;
}

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  if (int code = gauntlet::HelperMode(argc, argv); code >= 0) return code;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
