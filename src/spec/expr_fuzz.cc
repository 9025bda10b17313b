// libFuzzer target: any bytes, parsed as an expression and as a template and evaluated
// against a small fixed context, must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/expr.h"

namespace {

const gauntlet::spec::EvalContext& FuzzContext() {
  static const gauntlet::spec::EvalContext* ctx = [] {
    auto* c = new gauntlet::spec::EvalContext;
    c->contexts = nlohmann::json::parse(R"({
      "env": {"A": "1", "B": "", "J": "[1,{\"x\":[2,3]}]", "S": "a{0}b"},
      "matrix": {"os": "linux", "n": 2, "l": [1, "x", null, true, {"k": "v"}]},
      "needs": {"build": {"result": "success", "outputs": {"v": "1.2"}}},
      "branch": "main", "event": "push", "secrets": {"T": "s"},
      "changes": {"src": true}
    })");
    c->status = gauntlet::spec::EvalContext::Status::kFailure;
    return c;
  }();
  return *ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& ctx = FuzzContext();

  gauntlet::spec::Expr expr;
  gauntlet::spec::ExprError error;
  if (gauntlet::spec::Expr::Parse(text, &expr, &error)) {
    (void)expr.References();
    (void)expr.Calls();
    auto value = gauntlet::spec::Evaluate(expr, ctx);
    if (value.ok()) {
      (void)gauntlet::spec::ToText(*value);
      (void)gauntlet::spec::Truthy(*value);
    }
    (void)gauntlet::spec::EvaluateCondition(expr, ctx);
  } else if (error.offset > size) {
    __builtin_trap();  // an error must point inside the text
  }

  gauntlet::spec::Expr condition;
  if (gauntlet::spec::Expr::ParseCondition(text, &condition, &error)) {
    (void)condition.CallsStatusFunction();
    (void)gauntlet::spec::EvaluateCondition(condition, ctx);
  } else if (error.offset > size) {
    __builtin_trap();
  }

  gauntlet::spec::Template tmpl;
  if (gauntlet::spec::Template::Parse(text, &tmpl, &error)) {
    (void)tmpl.Render(ctx);
  } else if (error.offset > size) {
    __builtin_trap();
  }
  return 0;
}
