#include <fmt/format.h>

#include "spec/expr.h"
#include "spec/expr_eval.h"

namespace gauntlet::spec {
namespace {

// The offset of the `}}` closing an expression whose text starts at `from`, or npos.
// `}}` inside a 'string' does not close it, so format('{{0}}') works in templates.
size_t FindClose(std::string_view text, size_t from, bool* in_string) {
  *in_string = false;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\'') {
      *in_string = !*in_string;  // '' inside a string toggles twice
    } else if (!*in_string && text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

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
    size_t close = FindClose(text, start, &in_string);
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
      return Error{fmt::format("in ${{{{ {} }}}}: {}", exprs_[i].first.text(),
                               s.error().message)};
    }
    out += lits_[i + 1];
  }
  return out;
}

bool Template::has_expressions() const { return !exprs_.empty(); }

}  // namespace gauntlet::spec
