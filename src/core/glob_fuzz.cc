// libFuzzer target: compiles arbitrary patterns and matches them against
// arbitrary paths. Input: pattern '\n' path. Checks that nothing crashes, that
// matching stays linear (ASan/UBSan catch the rest), and two invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  const std::string_view pattern = in.substr(0, nl);
  const std::string_view path = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  auto glob = gauntlet::Glob::Compile(pattern);
  if (!glob.ok()) return 0;
  const bool match = glob->Matches(path);
  // A path that matches has every ancestor directory viable.
  if (match) {
    for (size_t i = path.find('/'); i != std::string_view::npos; i = path.find('/', i + 1)) {
      if (!glob->CouldMatchUnder(path.substr(0, i))) __builtin_trap();
    }
  }
  // Matching is a pure function.
  if (glob->Matches(path) != match) __builtin_trap();
  return 0;
}
