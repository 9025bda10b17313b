// `${{ }}` expressions: a parser into an AST and an evaluator over JSON values.
//
// Grammar (GitHub Actions compatible subset):
//   expr    := or
//   or      := and ('||' and)*
//   and     := cmp ('&&' cmp)*
//   cmp     := unary (('=='|'!='|'<'|'<='|'>'|'>=') unary)*
//   unary   := '!' unary | primary
//   primary := literal | '(' expr ')' | call | ref
//   literal := 'string' (with '' escaping) | number | true | false | null
//   call    := ident '(' [expr (',' expr)*] ')'
//   ref     := ident ('.' ident | '[' expr ']' | '.*')*
// Comparison of strings is case-insensitive, as in GitHub Actions; `==` between
// different types coerces both to numbers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace gauntlet::spec {

struct ExprNode;  // the AST; opaque outside expr.cc

// A parse error at byte `offset` of the expression text.
struct ExprError {
  size_t offset = 0;
  std::string message;
  std::string hint;
};

class Expr {
 public:
  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;

  // Parses `text` (without the ${{ }} wrapper). On failure returns false and sets *error.
  static bool Parse(std::string_view text, Expr* out, ExprError* error);

  // The first identifier of every reference (`env`, `matrix`, `needs`, ...), and for
  // `needs.X...` the job name X: what validation checks against the known contexts.
  struct Reference {
    std::vector<std::string> path;  // leading literal segments, e.g. {"needs","build","outputs","v"}
    size_t offset = 0;
  };
  std::vector<Reference> References() const;
  // Names of the functions it calls (for validation: unknown function).
  std::vector<std::pair<std::string, size_t>> Calls() const;

  const std::string& text() const { return text_; }

 private:
  friend class Evaluator;
  std::string text_;
  std::unique_ptr<ExprNode> root_;
};

// What an expression can see. `contexts` is a JSON object:
//   { "env": {...}, "matrix": {...}, "needs": {"job": {"outputs": {...}, "result": "success"}},
//     "branch": "main", "event": "push", "secrets": {...}, "changes": {...} }
// Status functions read `status`.
struct EvalContext {
  nlohmann::json contexts = nlohmann::json::object();
  enum class Status { kSuccess, kFailure, kCancelled } status = Status::kSuccess;
};

// Evaluates to a JSON value; an unknown context or property is null (never an error),
// a bad function call (wrong arity, unknown name) is an error.
Result<nlohmann::json> Evaluate(const Expr& expr, const EvalContext& ctx);

// GitHub-style truthiness: false, 0, -0, "", null are false; everything else true.
bool Truthy(const nlohmann::json& v);
// String form used when interpolating into a string (null -> "", numbers without ".0").
std::string ToText(const nlohmann::json& v);

// A string with `${{ expr }}` parts.
class Template {
 public:
  // On failure sets *error with the offset within `text` (not within the expression).
  static bool Parse(std::string_view text, Template* out, ExprError* error);
  Result<std::string> Render(const EvalContext& ctx) const;
  bool has_expressions() const;
  const std::vector<std::pair<Expr, size_t>>& expressions() const { return exprs_; }

 private:
  // Literal pieces interleaved with expressions: lits_[0] expr_[0] lits_[1] ...
  std::vector<std::string> lits_;
  std::vector<std::pair<Expr, size_t>> exprs_;  // expression and its offset in the text
};

}  // namespace gauntlet::spec
