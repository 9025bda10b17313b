// Fuzzes every log parser and report reader: tool output is untrusted input
// (a test can print anything), so none of them may crash or hang on it.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gate/coverage.h"
#include "gate/junit.h"
#include "gate/parsers.h"
#include "gate/problem_matcher.h"
#include "gate/sarif.h"
#include "gate/suggest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gauntlet::gate;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& name : ParserNames()) {
    auto r = ParseDiagnostics(name, text, {"/repo"});
    if (r.ok()) {
      (void)SuggestFix(*r);
      (void)ToSarif(*r);
    }
  }
  (void)ParseJUnit(text);
  (void)ParseCoverage(text);
  auto matchers = LoadProblemMatchers(text);
  if (matchers.ok()) (void)RunProblemMatchers(*matchers, text);
  return 0;
}
