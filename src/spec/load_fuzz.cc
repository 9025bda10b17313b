// libFuzzer target: any bytes given to the loader must give a result, never a crash,
// an exception or a hang; and no document the loader accepts may expand, through
// aliases, past the bounds (the seeds include an alias bomb: tests/spec_errors).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "spec/load.h"
#include "spec/yaml_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  gauntlet::spec::LoadResult r = gauntlet::spec::LoadString(text, "fuzz.yml");
  // Formatting walks the source lines and carets: exercise it too.
  std::string out = r.problems.Format(r.source);
  if (out.empty() != r.problems.all().empty()) __builtin_trap();  // every problem prints
  (void)r.problems.ToJson().dump();  // valid JSON whatever bytes the file held
  gauntlet::spec::YamlDocument doc;
  gauntlet::spec::YamlError err;
  if (doc.Parse(text, &err) && doc.root() &&
      (doc.root()->expanded_nodes > gauntlet::spec::YamlDocument::kMaxExpandedNodes ||
       doc.root()->expanded_bytes > gauntlet::spec::YamlDocument::kMaxExpandedBytes))
    __builtin_trap();
  return 0;
}
