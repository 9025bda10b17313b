// Input hashing throughput: HashInputs over a few hundred MB of warm files
// (read once before timing, so the page cache holds them), and over many
// small files where the walk and open/close dominate.
//
//   cmake --preset release && cmake --build --preset release --target hash_bench -j2
//   build/release/hash_bench
#include <benchmark/benchmark.h>

#include <string>

#include "cache/hasher.h"
#include "cache/test_dir.h"

namespace gauntlet::cache {
namespace {

// Files of `file_size` bytes, `count` of them, spread over 16 directories.
void Fill(const TestDir& dir, int count, size_t file_size) {
  std::string content(file_size, '\0');
  for (size_t i = 0; i < content.size(); ++i)
    content[i] = static_cast<char>((i * 2654435761u) >> 13);
  for (int i = 0; i < count; ++i) {
    content[0] = static_cast<char>(i);
    dir.Write("src/d" + std::to_string(i % 16) + "/f" + std::to_string(i) + ".bin", content);
  }
}

void BM_HashInputs(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const size_t file_size = static_cast<size_t>(state.range(1));
  const auto threads = static_cast<unsigned>(state.range(2));
  TestDir dir;
  Fill(dir, count, file_size);
  uint64_t bytes = 0;
  if (auto warm = HashInputs(dir.path(), {"src/**"}, threads); warm.ok()) {
    bytes = warm->bytes;
  } else {
    state.SkipWithError(warm.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto d = HashInputs(dir.path(), {"src/**"}, threads);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["files"] = count;
}

// 256 x 1 MiB = 256 MiB, and 20,000 x 4 KiB, with 1 thread and one per core (0).
BENCHMARK(BM_HashInputs)
    ->Args({256, 1 << 20, 1})
    ->Args({256, 1 << 20, 0})
    ->Args({20000, 4096, 1})
    ->Args({20000, 4096, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace gauntlet::cache

BENCHMARK_MAIN();
