// Evaluation of an expression tree against an EvalContext. Internal: other layers use
// Evaluate()/Template::Render() from spec/expr.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "spec/expr.h"

namespace gauntlet::spec {

// Walks the tree holding pointers into the context rather than copies: a reference such
// as `needs.build.outputs` costs lookups, not a copy of the subtree.
class Evaluator {
 public:
  explicit Evaluator(const EvalContext& ctx) : ctx_(ctx) {}

  Result<nlohmann::json> Value(const Expr& expr);
  Result<bool> Condition(const Expr& expr);
  // Appends the text form of the value (ToText) to *out.
  Status AppendText(const Expr& expr, std::string* out);

 private:
  const EvalContext& ctx_;
};

}  // namespace gauntlet::spec
