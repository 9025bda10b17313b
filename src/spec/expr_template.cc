#include <fmt/format.h>

#include "spec/expr.h"
#include "spec/expr_eval.h"
#include "spec/expr_lexer.h"

namespace gauntlet::spec {

bool Template::Parse(std::string_view text, Template* out, ExprError* error) {
  ExprError ignored;
  if (!error) error = &ignored;
  Template t;
  std::string literal;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("${{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    literal.append(text.substr(pos, open - pos));
    size_t start = open + 3;
    bool in_string = false;
    size_t close = FindExpressionEnd(text, start, &in_string);
    if (close == std::string_view::npos) {
      error->offset = open;
      error->message = "unterminated '${{'";
      error->hint = in_string ? "a 'string' inside it is not closed (write '' for a quote)"
                              : "close the expression with '}}'";
      return false;
    }
    Expr expr;
    if (!Expr::Parse(text.substr(start, close - start), &expr, error)) {
      error->offset += start;
      return false;
    }
    t.lits_.push_back(std::move(literal));
    literal.clear();
    t.exprs_.emplace_back(std::move(expr), start);
    pos = close + 2;
  }
  t.lits_.push_back(std::move(literal));
  *out = std::move(t);
  return true;
}

Result<std::string> Template::Render(const EvalContext& ctx) const {
  if (lits_.empty()) return std::string();  // default-constructed, never parsed
  Evaluator eval(ctx);
  std::string out = lits_[0];
  for (size_t i = 0; i < exprs_.size(); ++i) {
    Status s = eval.AppendText(exprs_[i].first, &out);
    if (!s.ok()) {
      return Error{fmt::format("in ${{{{ {} }}}}: {}", exprs_[i].first.text(), s.error().message)};
    }
    out += lits_[i + 1];
  }
  return out;
}

bool Template::has_expressions() const { return !exprs_.empty(); }

}  // namespace gauntlet::spec
