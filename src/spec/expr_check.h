// Syntax checks of `${{ }}` expressions found in a pipeline file, with errors placed
// at the exact line and column, and collection of the references they make so the
// cross-reference pass (validate.h) can check `needs.X`, `matrix.K` and `secrets.S`.
#pragma once

#include <string>
#include <vector>

#include "core/location.h"
#include "spec/yaml_reader.h"

namespace gauntlet::spec {

// One reference (`needs.build.outputs.v`) read by an expression.
struct ExprUse {
  int job = -1;                   // index into Pipeline::jobs; -1 outside any job
  std::vector<std::string> path;  // leading literal segments
  Location loc;
};

class ExprChecker {
 public:
  ExprChecker(const YamlReader* reader, std::vector<ExprUse>* uses)
      : reader_(reader), uses_(uses) {}

  // A string that may hold `${{ }}` parts (commands, env values, ...).
  void CheckTemplate(const YamlNode* n, int job) const;
  // An `if:` condition, with or without the `${{ }}` wrapper. Returns the
  // expression without the wrapper.
  std::string CheckCondition(const YamlNode* n, int job) const;
  // An expression whose references are not pipeline contexts (metric conditions
  // over `result`): syntax and function names only.
  void CheckSyntaxOnly(const YamlNode* n) const;

 private:
  template <typename E>
  void Record(const YamlNode* n, const E& expr, size_t base, int job, bool refs) const;

  const YamlReader* reader_;
  std::vector<ExprUse>* uses_;
};

}  // namespace gauntlet::spec
