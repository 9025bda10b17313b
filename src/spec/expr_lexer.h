// Tokens of a `${{ }}` expression. Internal to the expression parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/expr.h"

namespace gauntlet::spec {

enum class TokenKind {
  kEnd,
  kString,  // 'text' ('' escapes a quote); `text` holds the decoded value
  kNumber,  // 12, 1.5, 1e3, -2, 0xff, 0o17; `number` holds the value
  kIdent,   // env, needs, build-linux, true, null ... (keywords are decided by the parser)
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kDot,
  kComma,
  kStar,
  kNot,
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // byte offset in the expression text
  size_t length = 0;
  std::string text;  // identifier or decoded string
  double number = 0;
};

// Splits `text` into tokens, the last one kEnd. On failure returns false and sets *error.
bool Lex(std::string_view text, std::vector<Token>* out, ExprError* error);

// How a token is spelled in messages: "'&&'", "end of expression", "'needs'".
std::string Describe(std::string_view text, const Token& token);

// The offset of the `}}` closing a `${{` expression whose text starts at `from`, or npos.
// `}}` inside a 'string' does not close it, so format('{{0}}') works in templates.
// *in_string tells whether the text ended inside a string.
size_t FindExpressionEnd(std::string_view text, size_t from, bool* in_string);

}  // namespace gauntlet::spec
