// libFuzzer target: any bytes given to the loader must give a result, never a crash,
// an exception or a hang.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "spec/load.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  gauntlet::spec::LoadResult r = gauntlet::spec::LoadString(text, "fuzz.yml");
  // Formatting walks the source lines and carets: exercise it too.
  std::string out = r.problems.Format(r.source);
  if (out.empty() != r.problems.all().empty()) __builtin_trap();  // every problem prints
  (void)r.problems.ToJson();
  return 0;
}
