// Recursive descent over the token list. Precedence, loosest first (as in GitHub):
//   ||   &&   == !=   < <= > >=   !   postfix (. [] .*)   primary
#include <fmt/format.h>

#include "core/strings.h"
#include "spec/expr_ast.h"
#include "spec/expr_functions.h"
#include "spec/expr_lexer.h"
#include "spec/expr_value.h"

namespace gauntlet::spec {
namespace {

using NodePtr = std::unique_ptr<ExprNode>;

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, ExprError* error)
      : text_(text), tokens_(std::move(tokens)), error_(error) {}

  NodePtr ParseAll() {
    if (Peek().kind == TokenKind::kEnd) {
      Fail(0, "empty expression", "write a value, e.g. matrix.os == 'linux'");
      return nullptr;
    }
    NodePtr root = ParseOr();
    if (!root) return nullptr;
    const Token& extra = Peek();
    if (extra.kind != TokenKind::kEnd) {
      std::string hint;
      switch (extra.kind) {
        case TokenKind::kRParen:
          hint = "there is no '(' for it to close";
          break;
        case TokenKind::kRBracket:
          hint = "there is no '[' for it to close";
          break;
        case TokenKind::kComma:
          hint = "',' only separates function arguments";
          break;
        case TokenKind::kLParen:
          hint = "only functions can be called: " + FunctionNames();
          break;
        default:
          hint = "expected an operator such as '&&', '||' or '==' before it";
      }
      Fail(extra.offset, "unexpected " + Describe(text_, extra), hint);
      return nullptr;
    }
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  // The token `ahead` places after the next one (the final kEnd when past it).
  const Token& Peek(size_t ahead) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != TokenKind::kEnd) ++pos_;
    return t;
  }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }

  void Fail(size_t offset, std::string message, std::string hint) {
    if (failed_) return;  // keep the first, innermost error
    failed_ = true;
    error_->offset = offset;
    error_->message = std::move(message);
    error_->hint = std::move(hint);
  }

  // Builds a node over `kids`, refusing trees deeper than kMaxExprDepth.
  NodePtr Make(NodeKind kind, size_t offset, std::vector<NodePtr> kids = {}) {
    auto node = std::make_unique<ExprNode>();
    node->kind = kind;
    node->offset = offset;
    for (const NodePtr& kid : kids) node->depth = std::max(node->depth, kid->depth + 1);
    node->kids = std::move(kids);
    if (node->depth > kMaxExprDepth) {
      Fail(offset, "expression nested too deeply",
           fmt::format("at most {} levels of operators, calls and properties", kMaxExprDepth));
      return nullptr;
    }
    return node;
  }

  // Guards recursion that builds no node, like nested parentheses.
  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p(p) { ++p->nesting_; }
    ~DepthGuard() { --p->nesting_; }
    Parser* p;
  };
  bool TooDeep(size_t offset) {
    if (nesting_ <= kMaxExprDepth) return false;
    Fail(offset, "expression nested too deeply",
         fmt::format("at most {} levels of parentheses and operators", kMaxExprDepth));
    return true;
  }

  // An n-ary chain of `op`: a || b || c becomes one node with three kids.
  template <typename Operand>
  NodePtr ParseChain(TokenKind op, NodeKind kind, Operand operand) {
    NodePtr first = (this->*operand)();
    if (!first || Peek().kind != op) return first;
    size_t offset = first->offset;
    std::vector<NodePtr> kids;
    kids.push_back(std::move(first));
    while (Accept(op)) {
      NodePtr next = (this->*operand)();
      if (!next) return nullptr;
      kids.push_back(std::move(next));
    }
    return Make(kind, offset, std::move(kids));
  }

  NodePtr ParseOr() { return ParseChain(TokenKind::kOr, NodeKind::kOr, &Parser::ParseAnd); }
  NodePtr ParseAnd() { return ParseChain(TokenKind::kAnd, NodeKind::kAnd, &Parser::ParseEquality); }

  static bool CompareOpOf(TokenKind kind, bool equality, CompareOp* op) {
    switch (kind) {
      case TokenKind::kEq:
        *op = CompareOp::kEq;
        return equality;
      case TokenKind::kNe:
        *op = CompareOp::kNe;
        return equality;
      case TokenKind::kLt:
        *op = CompareOp::kLt;
        return !equality;
      case TokenKind::kLe:
        *op = CompareOp::kLe;
        return !equality;
      case TokenKind::kGt:
        *op = CompareOp::kGt;
        return !equality;
      case TokenKind::kGe:
        *op = CompareOp::kGe;
        return !equality;
      default:
        return false;
    }
  }

  NodePtr ParseEquality() { return ParseComparison(true); }
  NodePtr ParseRelational() { return ParseComparison(false); }

  NodePtr ParseComparison(bool equality) {
    NodePtr left = equality ? ParseRelational() : ParseUnary();
    CompareOp op;
    while (left && CompareOpOf(Peek().kind, equality, &op)) {
      Next();
      NodePtr right = equality ? ParseRelational() : ParseUnary();
      if (!right) return nullptr;
      size_t offset = left->offset;
      std::vector<NodePtr> kids;
      kids.push_back(std::move(left));
      kids.push_back(std::move(right));
      left = Make(NodeKind::kCompare, offset, std::move(kids));
      if (left) left->op = op;
    }
    return left;
  }

  NodePtr ParseUnary() {
    if (Peek().kind != TokenKind::kNot) return ParsePostfix();
    size_t offset = Next().offset;
    DepthGuard guard(this);
    if (TooDeep(offset)) return nullptr;
    NodePtr operand = ParseUnary();
    if (!operand) return nullptr;
    std::vector<NodePtr> kids;
    kids.push_back(std::move(operand));
    return Make(NodeKind::kNot, offset, std::move(kids));
  }

  NodePtr ParsePostfix() {
    NodePtr node = ParsePrimary();
    while (node) {
      size_t offset = node->offset;
      if (Accept(TokenKind::kDot)) {
        const Token& t = Peek();
        std::vector<NodePtr> kids;
        kids.push_back(std::move(node));
        if (t.kind == TokenKind::kStar) {
          Next();
          node = Make(NodeKind::kFilter, offset, std::move(kids));
        } else if (t.kind == TokenKind::kIdent && Peek(1).kind == TokenKind::kLParen &&
                   kids[0]->kind == NodeKind::kContext &&
                   EqualsIgnoreCase(kids[0]->name, "changes")) {
          // The one method: `changes.any(...)`. Elsewhere `a.b(` stays a syntax error.
          const Token& method = Next();
          if (!EqualsIgnoreCase(method.text, "any")) {
            Fail(method.offset, fmt::format("'changes.{}' is not a function", method.text),
                 "the changes context has one method: changes.any('glob')");
            return nullptr;
          }
          node = ParseCall(method, FindFunction("changes.any"), offset, std::move(kids));
        } else if (t.kind == TokenKind::kIdent) {
          std::string name = Next().text;
          node = Make(NodeKind::kProperty, offset, std::move(kids));
          if (node) node->name = std::move(name);
        } else {
          Fail(t.offset, "expected a property name after '.', found " + Describe(text_, t),
               "write a name (letters, digits, '_', '-') or '*'; use ['...'] for other keys");
          return nullptr;
        }
      } else if (Peek().kind == TokenKind::kLBracket) {
        size_t open = Next().offset;
        std::vector<NodePtr> kids;
        kids.push_back(std::move(node));
        if (Accept(TokenKind::kStar)) {
          if (!ExpectClose(TokenKind::kRBracket, "]", "[", open)) return nullptr;
          node = Make(NodeKind::kFilter, offset, std::move(kids));
          continue;
        }
        DepthGuard guard(this);
        if (TooDeep(open)) return nullptr;
        NodePtr index = ParseOr();
        if (!index || !ExpectClose(TokenKind::kRBracket, "]", "[", open)) return nullptr;
        if (index->kind == NodeKind::kLiteral && index->value.is_string()) {
          // a['b'] is a.b: References() then sees a literal path.
          std::string name = index->value.get<std::string>();
          node = Make(NodeKind::kProperty, offset, std::move(kids));
          if (node) node->name = std::move(name);
        } else {
          kids.push_back(std::move(index));
          node = Make(NodeKind::kIndex, offset, std::move(kids));
        }
      } else {
        break;
      }
    }
    return node;
  }

  bool ExpectClose(TokenKind kind, const char* close, const char* open, size_t open_offset) {
    if (Accept(kind)) return true;
    const Token& t = Peek();
    Fail(t.offset, fmt::format("expected '{}', found {}", close, Describe(text_, t)),
         fmt::format("expected '{}' to close '{}' at {}", close, open, open_offset));
    return false;
  }

  NodePtr Literal(size_t offset, nlohmann::json value) {
    NodePtr node = Make(NodeKind::kLiteral, offset);
    node->value = std::move(value);
    return node;
  }

  NodePtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kString:
        Next();
        return Literal(t.offset, t.text);
      case TokenKind::kNumber:
        Next();
        return Literal(t.offset, t.number);
      case TokenKind::kLParen: {
        size_t open = Next().offset;
        DepthGuard guard(this);
        if (TooDeep(open)) return nullptr;
        NodePtr inner = ParseOr();
        if (!inner || !ExpectClose(TokenKind::kRParen, ")", "(", open)) return nullptr;
        return inner;
      }
      case TokenKind::kIdent: {
        Next();
        if (Peek().kind == TokenKind::kLParen) return ParseCall(t);
        if (t.text == "true") return Literal(t.offset, true);
        if (t.text == "false") return Literal(t.offset, false);
        if (t.text == "null") return Literal(t.offset, nullptr);
        if (t.text == "NaN") return Literal(t.offset, std::numeric_limits<double>::quiet_NaN());
        if (t.text == "Infinity") {
          return Literal(t.offset, std::numeric_limits<double>::infinity());
        }
        NodePtr node = Make(NodeKind::kContext, t.offset);
        node->name = t.text;
        return node;
      }
      default: {
        std::string message = t.kind == TokenKind::kEnd ? "unexpected end of expression"
                                                        : "unexpected " + Describe(text_, t);
        std::string hint = "expected a value: a name, 'string', number, function call or '('";
        if (pos_ > 0) {
          hint = "expected a value after " + Describe(text_, tokens_[pos_ - 1]);
        }
        Fail(t.offset, std::move(message), std::move(hint));
        return nullptr;
      }
    }
  }

  // `hidden` are arguments passed before the written ones (a method's object); they
  // do not count against the function's arity. `fn` is looked up by name when null.
  NodePtr ParseCall(const Token& name, const FunctionSpec* fn = nullptr, size_t offset = 0,
                    std::vector<NodePtr> hidden = {}) {
    const size_t node_offset = hidden.empty() ? name.offset : offset;
    size_t open = Next().offset;  // '('
    DepthGuard guard(this);
    if (TooDeep(open)) return nullptr;
    if (!fn) fn = FindFunction(name.text);
    if (!fn) {
      std::string guess = DidYouMean(name.text, FunctionNameList());
      Fail(name.offset, fmt::format("unknown function '{}'", name.text),
           (guess.empty() ? "" : "did you mean '" + guess + "'? ") + "known functions: " +
               FunctionNames());
      return nullptr;
    }
    std::vector<NodePtr> args = std::move(hidden);
    const size_t hidden_count = args.size();
    if (!Accept(TokenKind::kRParen)) {
      while (true) {
        NodePtr arg = ParseOr();
        if (!arg) return nullptr;
        args.push_back(std::move(arg));
        if (Accept(TokenKind::kComma)) continue;
        if (!ExpectClose(TokenKind::kRParen, ")", "(", open)) return nullptr;
        break;
      }
    }
    const size_t given = args.size() - hidden_count;
    if (given < fn->min_args || given > fn->max_args) {
      std::string expected = fn->min_args == fn->max_args ? fmt::format("exactly {}", fn->min_args)
                             : fn->max_args == SIZE_MAX
                                 ? fmt::format("at least {}", fn->min_args)
                                 : fmt::format("{} to {}", fn->min_args, fn->max_args);
      Fail(name.offset,
           fmt::format("{}() takes {} argument{}, got {}", fn->name, expected,
                       fn->max_args == 1 && fn->min_args == 1 ? "" : "s", given),
           CallHint(*fn));
      return nullptr;
    }
    NodePtr node = Make(NodeKind::kCall, node_offset, std::move(args));
    if (node) {
      node->function = fn;
      node->name = std::string(fn->name);
    }
    return node;
  }

  static std::string CallHint(const FunctionSpec& fn) {
    switch (fn.id) {
      case FunctionId::kContains:
        return "contains(search, item)";
      case FunctionId::kStartsWith:
        return "startsWith(string, prefix)";
      case FunctionId::kEndsWith:
        return "endsWith(string, suffix)";
      case FunctionId::kFormat:
        return "format('{0} and {1}', a, b)";
      case FunctionId::kJoin:
        return "join(array) or join(array, separator)";
      case FunctionId::kToJson:
        return "toJSON(value)";
      case FunctionId::kFromJson:
        return "fromJSON(text)";
      case FunctionId::kChangesAny:
        return "changes.any('glob')";
      default:
        return fmt::format("{}() takes no arguments", fn.name);
    }
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
  bool failed_ = false;
  ExprError* error_;
};

}  // namespace

std::unique_ptr<ExprNode> ParseTree(std::string_view text, ExprError* error) {
  std::vector<Token> tokens;
  if (!Lex(text, &tokens, error)) return nullptr;
  Parser parser(text, std::move(tokens), error);
  return parser.ParseAll();
}

}  // namespace gauntlet::spec
