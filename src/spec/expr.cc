// Placeholder until the expression parser lands: accepts everything, evaluates to null.
#include "spec/expr.h"

namespace gauntlet::spec {

struct ExprNode {};

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;

bool Expr::Parse(std::string_view text, Expr* out, ExprError* error) {
  out->text_ = std::string(text);
  return true;
}
std::vector<Expr::Reference> Expr::References() const { return {}; }
std::vector<std::pair<std::string, size_t>> Expr::Calls() const { return {}; }

Result<nlohmann::json> Evaluate(const Expr& expr, const EvalContext& ctx) {
  return nlohmann::json(nullptr);
}
bool Truthy(const nlohmann::json& v) { return false; }
std::string ToText(const nlohmann::json& v) { return ""; }

bool Template::Parse(std::string_view text, Template* out, ExprError* error) {
  out->lits_ = {std::string(text)};
  return true;
}
Result<std::string> Template::Render(const EvalContext& ctx) const { return lits_.at(0); }
bool Template::has_expressions() const { return !exprs_.empty(); }

}  // namespace gauntlet::spec
