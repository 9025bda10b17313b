#include "spec/expr_check.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "spec/expr.h"
#include "spec/expr_functions.h"
#include "spec/expr_value.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string>& KnownFunctions() {
  static const std::vector<std::string> kFunctions = FunctionNameList();
  return kFunctions;
}

}  // namespace

template <typename E>
void ExprChecker::Record(const YamlNode* n, const E& expr, size_t base, int job, bool refs) const {
  for (const auto& call : expr.Calls()) {
    const std::string& name =
        call.first;  // not a structured binding: clang 14 cannot capture those
    const size_t offset = call.second;
    const auto& known = KnownFunctions();
    if (std::none_of(known.begin(), known.end(),
                     [&](const std::string& f) { return EqualsIgnoreCase(f, name); })) {
      std::string guess = DidYouMean(name, known);
      reader_->problems()->Error(reader_->LocAt(n, base + offset),
                                 "unknown function '" + name + "'",
                                 (guess.empty() ? "" : "did you mean '" + guess + "'? ") +
                                     "functions: " + JoinComma(known));
    }
  }
  if (!refs) return;
  for (const Expr::Reference& ref : expr.References()) {
    if (ref.path.empty()) continue;
    uses_->push_back({job, ref.path, reader_->LocAt(n, base + ref.offset)});
  }
}

void ExprChecker::CheckTemplate(const YamlNode* n, int job) const {
  if (!n || !n->is_scalar() || n->value.find("${{") == std::string::npos) return;
  Template t;
  ExprError err;
  if (!Template::Parse(n->value, &t, &err)) {
    reader_->problems()->Error(reader_->LocAt(n, err.offset), err.message, err.hint);
    return;
  }
  for (const auto& [expr, offset] : t.expressions()) {
    // Whether `offset` is that of `${{` or of the text inside, the expression's own
    // text is found from there, so reference offsets land on the right column.
    size_t base = expr.text().empty() ? std::string::npos : n->value.find(expr.text(), offset);
    Record(n, expr, base == std::string::npos ? offset : base, job, true);
  }
}

std::string ExprChecker::CheckCondition(const YamlNode* n, int job) const {
  if (!n || !n->is_scalar()) return "";
  const std::string& v = n->value;
  size_t begin = v.find_first_not_of(" \t\r\n");
  size_t end = v.find_last_not_of(" \t\r\n");
  if (begin == std::string::npos) {
    reader_->Error(n, "empty condition", "write a condition such as: branch == 'main'");
    return "";
  }
  ++end;
  // `${{ x }}` around the whole condition is optional, as in GitHub Actions.
  if (v.compare(begin, 3, "${{") == 0 && end - begin >= 5 && v.compare(end - 2, 2, "}}") == 0 &&
      v.find("${{", begin + 3) == std::string::npos) {
    begin += 3;
    end -= 2;
  }
  std::string text = v.substr(begin, end - begin);
  Expr expr;
  ExprError err;
  if (!Expr::Parse(text, &expr, &err)) {
    reader_->problems()->Error(reader_->LocAt(n, begin + err.offset), err.message, err.hint);
    return text;
  }
  Record(n, expr, begin, job, true);
  // Keep what the evaluator reads free of the wrapper's padding.
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : text.substr(b, e - b + 1);
}

void ExprChecker::CheckSyntaxOnly(const YamlNode* n) const {
  if (!n || !n->is_scalar()) return;
  Expr expr;
  ExprError err;
  if (!Expr::Parse(n->value, &expr, &err)) {
    reader_->problems()->Error(reader_->LocAt(n, err.offset), err.message, err.hint);
    return;
  }
  Record(n, expr, 0, -1, false);
}

}  // namespace gauntlet::spec
