#include "spec/expr_eval.h"

#include <fmt/format.h>

#include "spec/expr_ast.h"
#include "spec/expr_value.h"
#include "spec/hash_files.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

// An intermediate value: borrowed from the context (ref), or owned (computed). After a
// filter (`.*`) it is a list of borrowed items until the postfix chain ends.
class Val {
 public:
  Val() = default;
  static Val Ref(const json* p) {
    Val v;
    v.ref_ = p;
    return v;
  }
  static Val Own(json j) {
    Val v;
    v.own_ = std::move(j);
    return v;
  }
  static Val Null() { return Val(); }

  const json& get() const { return ref_ ? *ref_ : own_; }
  bool filtered() const { return filtered_; }
  json Take() && { return ref_ ? *ref_ : std::move(own_); }

  // The items of a filter; they point into the context or into own_, which the value
  // keeps alive (moving a json keeps its elements' addresses).
  std::vector<const json*>& items() { return items_; }
  void StartFilter() {
    filtered_ = true;
    items_.clear();
  }
  // Turns a filter result into an ordinary array value.
  void Materialize() {
    if (!filtered_) return;
    json array = json::array();
    for (const json* item : items_) array.push_back(*item);
    own_ = std::move(array);
    ref_ = nullptr;
    items_.clear();
    filtered_ = false;
  }
  // Replaces this value by its member/element `sub`, which lives inside it.
  void Narrow(const json* sub) {
    if (ref_ || !sub) {
      ref_ = sub;
      if (!sub) own_ = nullptr;
      return;
    }
    json taken = std::move(*const_cast<json*>(sub));  // sub is inside own_, which we own
    own_ = std::move(taken);
  }

 private:
  const json* ref_ = nullptr;
  json own_;
  bool filtered_ = false;
  std::vector<const json*> items_;
};

const json* IndexInto(const json& target, const json& index) {
  if (target.is_object()) {
    if (index.is_string()) return FindMember(target, index.get_ref<const std::string&>());
    if (index.is_number() || index.is_boolean()) return FindMember(target, ToText(index));
    return nullptr;
  }
  if (target.is_array()) {
    // Only numbers index arrays, as in GitHub: list['1'] is null whether literal or computed.
    if (!index.is_number()) return nullptr;
    double d = index.get<double>();
    if (!(d >= 0)) return nullptr;  // also NaN
    if (d >= static_cast<double>(target.size())) return nullptr;
    return &target[static_cast<size_t>(d)];
  }
  return nullptr;
}

void AppendChildren(const json& v, std::vector<const json*>* out) {
  if (v.is_array() || v.is_object()) {
    for (const json& element : v) out->push_back(&element);
  }
}

class Walker {
 public:
  explicit Walker(const EvalContext& ctx) : ctx_(ctx) {}

  // A value for use by an operator: filters become arrays.
  Result<Val> Eval(const ExprNode& n) {
    Result<Val> v = EvalChain(n);
    if (v.ok()) v->Materialize();
    return v;
  }

 private:
  // Like Eval, but a postfix chain may return a filter for the next link to map over.
  Result<Val> EvalChain(const ExprNode& n) {
    switch (n.kind) {
      case NodeKind::kLiteral:
        return Val::Ref(&n.value);
      case NodeKind::kContext:
        return Val::Ref(LookupContext(n.name));
      case NodeKind::kProperty:
      case NodeKind::kIndex:
      case NodeKind::kFilter:
        return EvalPostfix(n);
      case NodeKind::kNot: {
        Result<Val> v = Eval(*n.kids[0]);
        if (!v.ok()) return v;
        return Val::Own(!Truthy(v->get()));
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        // Returns the deciding operand itself, as GitHub does: `a || 'default'`.
        bool is_and = n.kind == NodeKind::kAnd;
        for (size_t i = 0;; ++i) {
          Result<Val> v = Eval(*n.kids[i]);
          if (!v.ok() || i + 1 == n.kids.size()) return v;
          if (Truthy(v->get()) != is_and) return v;
        }
      }
      case NodeKind::kCompare:
        return EvalCompare(n);
      case NodeKind::kCall:
        return EvalCall(n);
    }
    return Val::Null();
  }

  const json* LookupContext(const std::string& name) const {
    if (const json* v = FindMember(ctx_.contexts, name)) return v;
    if (ctx_.shared) return FindMember(*ctx_.shared, name);
    return nullptr;
  }

  Result<Val> EvalPostfix(const ExprNode& n) {
    Result<Val> base = EvalChain(*n.kids[0]);
    if (!base.ok()) return base;
    Val v = std::move(base).value();
    json index;  // evaluated once, even when mapped over a filter
    if (n.kind == NodeKind::kIndex) {
      Result<Val> i = Eval(*n.kids[1]);
      if (!i.ok()) return i;
      index = std::move(i).value().Take();
    }
    auto step = [&](const json& target) -> const json* {
      return n.kind == NodeKind::kProperty ? FindMember(target, n.name) : IndexInto(target, index);
    };
    if (v.filtered()) {
      std::vector<const json*>& items = v.items();
      std::vector<const json*> next;
      for (const json* item : items) {
        if (n.kind == NodeKind::kFilter) {
          AppendChildren(*item, &next);
        } else if (const json* sub = step(*item)) {
          next.push_back(sub);
        }
      }
      items = std::move(next);
      return v;
    }
    if (n.kind == NodeKind::kFilter) {
      std::vector<const json*> children;
      AppendChildren(v.get(), &children);
      v.StartFilter();
      v.items() = std::move(children);
      return v;
    }
    v.Narrow(step(v.get()));
    return v;
  }

  Result<Val> EvalCompare(const ExprNode& n) {
    Result<Val> a = Eval(*n.kids[0]);
    if (!a.ok()) return a;
    Result<Val> b = Eval(*n.kids[1]);
    if (!b.ok()) return b;
    const json& x = a->get();
    const json& y = b->get();
    bool result = false;
    switch (n.op) {
      case CompareOp::kEq:
        result = LooseEquals(x, y);
        break;
      case CompareOp::kNe:
        result = !LooseEquals(x, y);
        break;
      default: {
        Order o = Compare(x, y);
        switch (n.op) {
          case CompareOp::kLt:
            result = o == Order::kLess;
            break;
          case CompareOp::kLe:
            result = o == Order::kLess || o == Order::kEqual;
            break;
          case CompareOp::kGt:
            result = o == Order::kGreater;
            break;
          default:
            result = o == Order::kGreater || o == Order::kEqual;
            break;
        }
      }
    }
    return Val::Own(result);
  }

  Result<Val> EvalCall(const ExprNode& n) {
    std::vector<Val> args;
    args.reserve(n.kids.size());
    for (const auto& kid : n.kids) {
      Result<Val> v = Eval(*kid);
      if (!v.ok()) return v;
      args.push_back(std::move(v).value());
    }
    if (n.function->id == FunctionId::kHashFiles) return EvalHashFiles(args);
    std::vector<const json*> pointers;
    pointers.reserve(args.size());
    for (const Val& v : args) pointers.push_back(&v.get());
    Result<json> r = CallFunction(*n.function, pointers, ctx_.status);
    if (!r.ok()) return r.error();
    return Val::Own(std::move(r).value());
  }

  // hashFiles() reads the files of the workspace a workflow runs in (github.workspace).
  Result<Val> EvalHashFiles(const std::vector<Val>& args) const {
    const json* github = LookupContext("github");
    const json* root = github && github->is_object() ? FindMember(*github, "workspace") : nullptr;
    if (!root || !root->is_string() || root->get_ref<const std::string&>().empty())
      return Error{"hashFiles() needs github.workspace: it works in workflow files only"};
    std::vector<std::string> patterns;
    for (const Val& v : args) patterns.push_back(ToText(v.get()));
    Result<std::string> hash = HashFiles(root->get<std::string>(), patterns);
    if (!hash.ok()) return hash.error();
    return Val::Own(json(std::move(hash).value()));
  }

  const EvalContext& ctx_;
};

}  // namespace

Result<json> Evaluator::Value(const Expr& expr) {
  if (!expr.root_) return Error{"expression was not parsed"};
  Result<Val> v = Walker(ctx_).Eval(*expr.root_);
  if (!v.ok()) return v.error();
  return std::move(v).value().Take();
}

Result<bool> Evaluator::Condition(const Expr& expr) {
  if (!expr.root_) return Error{"expression was not parsed"};
  Result<Val> v = Walker(ctx_).Eval(*expr.root_);
  if (!v.ok()) return v.error();
  return Truthy(v->get());
}

Status Evaluator::AppendText(const Expr& expr, std::string* out) {
  if (!expr.root_) return Error{"expression was not parsed"};
  Result<Val> v = Walker(ctx_).Eval(*expr.root_);
  if (!v.ok()) return v.error();
  spec::AppendText(v->get(), out);
  return Ok();
}

Result<json> Evaluate(const Expr& expr, const EvalContext& ctx) {
  return Evaluator(ctx).Value(expr);
}

Result<bool> EvaluateCondition(const Expr& expr, const EvalContext& ctx) {
  return Evaluator(ctx).Condition(expr);
}

}  // namespace gauntlet::spec
