// The syntax tree of a `${{ }}` expression, shared by the parser and the evaluator.
// Internal: other layers see only spec/expr.h.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "spec/expr.h"
#include "spec/expr_functions.h"

namespace gauntlet::spec {

// Deeper trees are a parse error, so evaluating and destroying a tree never
// recurses more than this (GitHub's limit is 50).
inline constexpr int kMaxExprDepth = 100;

enum class NodeKind {
  kLiteral,   // value
  kContext,   // name: a top-level context such as `env`
  kProperty,  // kids[0].name, also kids[0]['name'] with a literal string
  kIndex,     // kids[0][kids[1]]
  kFilter,    // kids[0].* or kids[0][*]
  kNot,       // !kids[0]
  kAnd,       // kids[0] && kids[1] && ...
  kOr,        // kids[0] || kids[1] || ...
  kCompare,   // kids[0] op kids[1]
  kCall,      // function(kids...)
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct ExprNode {
  NodeKind kind = NodeKind::kLiteral;
  size_t offset = 0;  // where the node starts in the expression text
  int depth = 1;      // 1 + the deepest child
  nlohmann::json value;
  std::string name;
  CompareOp op = CompareOp::kEq;
  const FunctionSpec* function = nullptr;
  std::vector<std::unique_ptr<ExprNode>> kids;
};

// Parses `text` into a tree; nullptr with *error set on failure.
std::unique_ptr<ExprNode> ParseTree(std::string_view text, ExprError* error);

}  // namespace gauntlet::spec
