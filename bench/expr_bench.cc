// Cost of evaluating an `if:` condition and rendering an env template once per job: a
// 10,000-job pipeline does this 10,000 times, against a context with a large env.
#include <benchmark/benchmark.h>

#include <string>

#include "spec/expr.h"

namespace {

using gauntlet::spec::EvalContext;
using gauntlet::spec::Expr;
using gauntlet::spec::Template;

nlohmann::json SharedContexts() {
  nlohmann::json shared = {{"branch", "main"}, {"event", "push"}};
  for (int i = 0; i < 200; ++i) {
    std::string job = "job-" + std::to_string(i);
    shared["needs"][job] = {{"result", "success"}, {"outputs", {{"version", "1.2.3"}}}};
  }
  return shared;
}

EvalContext JobContext(const nlohmann::json* shared) {
  EvalContext ctx;
  ctx.shared = shared;
  for (int i = 0; i < 100; ++i) ctx.contexts["env"]["VAR_" + std::to_string(i)] = "value";
  ctx.contexts["matrix"] = {{"os", "linux"}, {"python", "3.12"}};
  return ctx;
}

void BM_Condition(benchmark::State& state) {
  nlohmann::json shared = SharedContexts();
  EvalContext ctx = JobContext(&shared);
  Expr e;
  Expr::Parse(
      "success() && branch == 'main' && needs.job-150.outputs.version != '' && "
      "contains(fromJSON('[\"linux\",\"mac\"]'), matrix.os) && env.VAR_42 == 'value'",
      &e, nullptr);
  for (auto _ : state) benchmark::DoNotOptimize(gauntlet::spec::EvaluateCondition(e, ctx));
}
BENCHMARK(BM_Condition);

void BM_Template(benchmark::State& state) {
  nlohmann::json shared = SharedContexts();
  EvalContext ctx = JobContext(&shared);
  Template t;
  Template::Parse("py${{ matrix.python }}-${{ matrix.os }}-${{ needs.job-7.outputs.version }}", &t,
                  nullptr);
  for (auto _ : state) benchmark::DoNotOptimize(t.Render(ctx));
}
BENCHMARK(BM_Template);

void BM_Parse(benchmark::State& state) {
  for (auto _ : state) {
    Expr e;
    benchmark::DoNotOptimize(Expr::Parse(
        "success() && (branch == 'main' || startsWith(branch, 'release/')) && matrix.os != 'mac'",
        &e, nullptr));
  }
}
BENCHMARK(BM_Parse);

}  // namespace

BENCHMARK_MAIN();
