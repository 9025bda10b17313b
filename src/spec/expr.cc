#include "spec/expr.h"

#include <algorithm>

#include "spec/expr_ast.h"
#include "spec/expr_lexer.h"

namespace gauntlet::spec {
namespace {

bool IsPostfix(const ExprNode& n) {
  return n.kind == NodeKind::kProperty || n.kind == NodeKind::kIndex || n.kind == NodeKind::kFilter;
}

void CollectReferences(const ExprNode& n, std::vector<Expr::Reference>* out) {
  if (!IsPostfix(n) && n.kind != NodeKind::kContext) {
    for (const auto& kid : n.kids) CollectReferences(*kid, out);
    return;
  }
  // n is the outermost link of a chain such as needs.build.outputs[x].y: walk to its root.
  std::vector<const ExprNode*> chain;
  const ExprNode* root = &n;
  while (IsPostfix(*root)) {
    chain.push_back(root);
    root = root->kids[0].get();
  }
  for (const ExprNode* link : chain) {
    if (link->kind == NodeKind::kIndex) CollectReferences(*link->kids[1], out);
  }
  if (root->kind != NodeKind::kContext) {
    CollectReferences(*root, out);  // e.g. fromJSON(x).a: references inside the call
    return;
  }
  Expr::Reference ref;
  ref.offset = root->offset;
  ref.path.push_back(root->name);
  for (auto it = chain.rbegin(); it != chain.rend() && (*it)->kind == NodeKind::kProperty; ++it) {
    ref.path.push_back((*it)->name);
  }
  out->push_back(std::move(ref));
}

void CollectCalls(const ExprNode& n, std::vector<std::pair<std::string, size_t>>* out) {
  if (n.kind == NodeKind::kCall) out->emplace_back(n.name, n.offset);
  for (const auto& kid : n.kids) CollectCalls(*kid, out);
}

}  // namespace

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;

bool Expr::Parse(std::string_view text, Expr* out, ExprError* error) {
  ExprError ignored;
  std::unique_ptr<ExprNode> root = ParseTree(text, error ? error : &ignored);
  if (!root) return false;
  out->text_ = std::string(text);
  out->root_ = std::move(root);
  return true;
}

bool Expr::ParseCondition(std::string_view text, Expr* out, ExprError* error) {
  ExprError ignored;
  if (!error) error = &ignored;
  size_t open = text.find("${{");
  if (open == std::string_view::npos) return Parse(text, out, error);
  // Blank out the wrapper rather than cutting it off, so offsets still point into `text`.
  std::string spaced(text);
  bool wrapped = text.find_first_not_of(" \t\r\n") == open;
  bool in_string = false;
  size_t close = FindExpressionEnd(text, open + 3, &in_string);
  if (close == std::string_view::npos) {
    error->offset = open;
    error->message = "unterminated '${{'";
    error->hint = "close the expression with '}}'";
    return false;
  }
  if (!wrapped || text.find_first_not_of(" \t\r\n", close + 2) != std::string_view::npos) {
    error->offset = open;
    error->message = "a condition is one expression, not a string with ${{ }} parts";
    error->hint = "write the whole condition bare or inside a single ${{ }}";
    return false;
  }
  spaced.replace(open, 3, "   ");
  spaced.replace(close, 2, "  ");
  return Parse(spaced, out, error);
}

bool Expr::CallsStatusFunction() const {
  for (const auto& [name, offset] : Calls()) {
    if (name == "success" || name == "failure" || name == "always" || name == "cancelled") {
      return true;
    }
  }
  return false;
}

std::vector<Expr::Reference> Expr::References() const {
  std::vector<Reference> out;
  if (root_) CollectReferences(*root_, &out);
  std::stable_sort(out.begin(), out.end(),
                   [](const Reference& a, const Reference& b) { return a.offset < b.offset; });
  return out;
}

std::vector<std::pair<std::string, size_t>> Expr::Calls() const {
  std::vector<std::pair<std::string, size_t>> out;
  if (root_) CollectCalls(*root_, &out);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

}  // namespace gauntlet::spec
