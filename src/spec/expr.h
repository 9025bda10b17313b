// `${{ }}` expressions: a parser into an AST and an evaluator over JSON values.
//
// Grammar (GitHub Actions compatible subset):
//   expr    := or
//   or      := and ('||' and)*
//   and     := eq ('&&' eq)*
//   eq      := rel (('=='|'!=') rel)*
//   rel     := unary (('<'|'<='|'>'|'>=') unary)*
//   unary   := '!' unary | postfix
//   postfix := primary ('.' ident | '.*' | '[' expr ']' | '[*]')*
//   primary := literal | '(' expr ')' | call | ident
//   literal := 'string' (with '' escaping) | number | true | false | null | NaN | Infinity
//   call    := ident '(' [expr (',' expr)*] ')'
// Comparison of strings is case-insensitive, as in GitHub Actions; `==` between
// different types coerces both to numbers. Parsing never throws; the tree is at most
// 100 levels deep. User documentation: docs/expressions.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gauntlet::spec {

struct ExprNode;  // the AST, defined in spec/expr_ast.h (internal)

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

  // Parses an `if:` condition, which may be written bare (`branch == 'main'`) or wrapped
  // whole (`${{ branch == 'main' }}`). Offsets stay relative to `text`. A condition with
  // `${{` that is not one wrapper around everything (`${{ a }} && ${{ b }}`) is an error:
  // as a string it would always be true.
  static bool ParseCondition(std::string_view text, Expr* out, ExprError* error);

  // Whether it calls success(), failure(), always() or cancelled(). An `if:` that does not
  // is treated as `success() && (...)` by the scheduler, as in GitHub Actions.
  bool CallsStatusFunction() const;

  // Every reference to a context (`env`, `matrix`, `needs.X...`), ordered by offset: what
  // validation checks against the known contexts and the job's needs.
  struct Reference {
    // Leading literal segments, e.g. {"needs","build","outputs","v"}; a computed index
    // (`matrix[env.K]`) or a filter (`needs.*`) ends it.
    std::vector<std::string> path;
    size_t offset = 0;
  };
  std::vector<Reference> References() const;
  // The functions it calls, in canonical spelling ("startsWith"), with offsets; unknown
  // names never get here, Parse rejects them.
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
  // Consulted for a context name missing from `contexts`, so values shared by every job
  // of a run (needs, secrets, branch, ...) need not be copied into each job's object.
  const nlohmann::json* shared = nullptr;
};

// Evaluates to a JSON value; an unknown context or property is null (never an error),
// an unknown function or wrong arity was already a parse error; what remains are errors
// found only with values: format() with a missing argument, fromJSON() of bad text.
Result<nlohmann::json> Evaluate(const Expr& expr, const EvalContext& ctx);

// Evaluate() then Truthy(), without copying the value: for `if:` conditions.
Result<bool> EvaluateCondition(const Expr& expr, const EvalContext& ctx);

// GitHub-style truthiness: false, 0, -0, NaN, "", null are false; everything else true.
bool Truthy(const nlohmann::json& v);
// String form used when interpolating into a string (null -> "", numbers without ".0",
// booleans true/false, arrays and objects as compact JSON).
std::string ToText(const nlohmann::json& v);

// A string with `${{ expr }}` parts.
class Template {
 public:
  // On failure sets *error with the offset within `text` (not within the expression).
  // An unterminated `${{` is an error; `}}` inside a 'string' does not end an expression.
  static bool Parse(std::string_view text, Template* out, ExprError* error);
  Result<std::string> Render(const EvalContext& ctx) const;
  bool has_expressions() const;
  const std::vector<std::pair<Expr, size_t>>& expressions() const { return exprs_; }
  // The text around the expressions: literals()[i] comes before expressions()[i], and
  // literals().back() after the last one (one more literal than expressions).
  const std::vector<std::string>& literals() const { return lits_; }

 private:
  // Literal pieces interleaved with expressions: lits_[0] expr_[0] lits_[1] ...
  std::vector<std::string> lits_;
  // Each expression and the offset of its text (just after `${{`) in the template, so
  // offset + Reference::offset is a position in the template.
  std::vector<std::pair<Expr, size_t>> exprs_;
};

}  // namespace gauntlet::spec
