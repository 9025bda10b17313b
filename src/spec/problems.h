// Problems found in a pipeline file, collected so all of them are reported at once.
// Printed as `file:line:col: error: message`, the source line, a caret, and a hint.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/location.h"

namespace gauntlet::spec {

enum class Severity { kError, kWarning };

struct Problem {
  Severity severity = Severity::kError;
  Location loc;
  std::string message;
  std::string hint;  // what would have been valid; may be empty
};

class Problems {
 public:
  void Error(Location loc, std::string message, std::string hint = "");
  void Warning(Location loc, std::string message, std::string hint = "");

  bool has_errors() const;
  const std::vector<Problem>& all() const { return list_; }
  void Append(const Problems& other);

  // Sorted by file, line, column; each with the source line and a caret.
  // `source` is the file's text (may be empty when unreadable).
  std::string Format(const std::string& source, bool color = false) const;
  nlohmann::json ToJson() const;

 private:
  std::vector<Problem> list_;
};

}  // namespace gauntlet::spec
