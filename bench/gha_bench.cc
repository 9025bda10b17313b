// Loading and planning a GitHub Actions workflow with a 200-job matrix (issue target:
// <= 5 ms): the YAML read, every step compiled into its job's script, the matrix
// expanded, the plan built. Run by bench/gha-plan.
//
// Besides the Google Benchmark flags: gha_bench --write FILE writes the workflow.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <string>

#include "plan/plan.h"
#include "spec/load.h"

namespace gauntlet {
namespace {

// build -> test (10 x 20 = 200 combinations, five steps each) -> report.
std::string MatrixWorkflow() {
  std::string out = R"(name: bench
on: [push, pull_request]
env: {GREETING: hello}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs: {version: "${{ steps.v.outputs.version }}"}
    steps:
      - uses: actions/checkout@v4
      - id: v
        run: echo "version=1.0" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        os: [)";
  for (int i = 0; i < 10; ++i) out += (i ? ", o" : "o") + std::to_string(i);
  out += "]\n        shard: [";
  for (int i = 0; i < 20; ++i) out += (i ? ", " : "") + std::to_string(i);
  out += R"(]
    steps:
      - uses: actions/checkout@v4
      - name: Prepare
        run: echo "prepare ${{ matrix.os }}"
      - name: Test
        env: {SHARD: "${{ matrix.shard }}"}
        run: ./test.sh --shard "$SHARD" --version "${{ needs.build.outputs.version }}"
      - if: failure()
        run: echo "failed on ${{ matrix.os }}"
      - if: always()
        run: echo done
  report:
    needs: test
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.test.result }}"
)";
  return out;
}

void BM_GhaLoadAndPlan(benchmark::State& state) {
  const std::string text = MatrixWorkflow();
  size_t jobs = 0;
  for (auto _ : state) {
    spec::LoadResult loaded = spec::LoadString(text, ".github/workflows/bench.yml");
    spec::Problems problems;
    plan::Plan plan = plan::Build(loaded.pipeline, &problems);
    if (!loaded.ok() || problems.has_errors()) {
      state.SkipWithError("the workflow did not load or plan");
      break;
    }
    jobs = plan.jobs.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["jobs"] = static_cast<double>(jobs);
}
BENCHMARK(BM_GhaLoadAndPlan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write") == 0) {
    std::ofstream(argv[2]) << gauntlet::MatrixWorkflow();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
