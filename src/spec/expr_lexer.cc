#include "spec/expr_lexer.h"

#include <fmt/format.h>

#include "spec/expr_number.h"

namespace gauntlet::spec {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
// Job and output names often contain '-', so identifiers may too (as in GitHub).
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// After one of these a '.' is property access, never the start of `.5`.
bool EndsValue(const std::vector<Token>& tokens) {
  if (tokens.empty()) return false;
  switch (tokens.back().kind) {
    case TokenKind::kIdent:
    case TokenKind::kString:
    case TokenKind::kNumber:
    case TokenKind::kRParen:
    case TokenKind::kRBracket:
    case TokenKind::kStar:
      return true;
    default:
      return false;
  }
}

// A printable form of one byte for messages.
std::string Printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  return fmt::format("\\x{:02x}", u);
}

bool Fail(ExprError* error, size_t offset, std::string message, std::string hint) {
  error->offset = offset;
  error->message = std::move(message);
  error->hint = std::move(hint);
  return false;
}

}  // namespace

bool Lex(std::string_view text, std::vector<Token>* out, ExprError* error) {
  out->clear();
  size_t i = 0;
  const size_t n = text.size();
  auto peek = [&](size_t k) { return i + k < n ? text[i + k] : '\0'; };
  while (true) {
    while (i < n && IsSpace(text[i])) ++i;
    Token tok;
    tok.offset = i;
    if (i >= n) {
      out->push_back(tok);
      return true;
    }
    char c = text[i];
    bool number_start = IsDigit(c) ||
                        (c == '-' && (IsDigit(peek(1)) || (peek(1) == '.' && IsDigit(peek(2))))) ||
                        (c == '.' && IsDigit(peek(1)) && !EndsValue(*out));
    if (number_start) {
      size_t j = i + 1;
      size_t digits = c == '-' ? 1 : 0;
      bool hex = peek(digits) == '0' && (peek(digits + 1) == 'x' || peek(digits + 1) == 'X');
      while (j < n) {
        char d = text[j];
        bool sign_in_exponent =
            (d == '+' || d == '-') && !hex && (text[j - 1] == 'e' || text[j - 1] == 'E');
        if (!(IsIdentChar(d) && d != '-') && d != '.' && !sign_in_exponent) break;
        ++j;
      }
      std::string_view spelled = text.substr(i, j - i);
      std::optional<double> value = ParseNumber(spelled);
      if (!value) {
        return Fail(error, i, fmt::format("invalid number '{}'", spelled),
                    "numbers look like 12, -1.5, 1e3, 0xff or 0o17");
      }
      tok.kind = TokenKind::kNumber;
      tok.number = *value;
      tok.length = j - i;
      i = j;
      out->push_back(std::move(tok));
      continue;
    }
    if (IsIdentStart(c)) {
      size_t j = i + 1;
      while (j < n && IsIdentChar(text[j])) ++j;
      tok.kind = TokenKind::kIdent;
      tok.text = std::string(text.substr(i, j - i));
      tok.length = j - i;
      i = j;
      out->push_back(std::move(tok));
      continue;
    }
    if (c == '\'') {
      size_t j = i + 1;
      std::string value;
      while (true) {
        if (j >= n) {
          return Fail(error, i, "unterminated string",
                      "close it with ' (write '' for a quote inside a string)");
        }
        if (text[j] == '\'') {
          if (j + 1 < n && text[j + 1] == '\'') {
            value += '\'';
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        value += text[j++];
      }
      tok.kind = TokenKind::kString;
      tok.text = std::move(value);
      tok.length = j - i;
      i = j;
      out->push_back(std::move(tok));
      continue;
    }
    auto emit = [&](TokenKind kind, size_t length) {
      tok.kind = kind;
      tok.length = length;
      i += length;
      out->push_back(std::move(tok));
    };
    switch (c) {
      case '(':
        emit(TokenKind::kLParen, 1);
        continue;
      case ')':
        emit(TokenKind::kRParen, 1);
        continue;
      case '[':
        emit(TokenKind::kLBracket, 1);
        continue;
      case ']':
        emit(TokenKind::kRBracket, 1);
        continue;
      case '.':
        emit(TokenKind::kDot, 1);
        continue;
      case ',':
        emit(TokenKind::kComma, 1);
        continue;
      case '*':
        emit(TokenKind::kStar, 1);
        continue;
      case '!':
        if (peek(1) == '=')
          emit(TokenKind::kNe, 2);
        else
          emit(TokenKind::kNot, 1);
        continue;
      case '<':
        if (peek(1) == '=')
          emit(TokenKind::kLe, 2);
        else
          emit(TokenKind::kLt, 1);
        continue;
      case '>':
        if (peek(1) == '=')
          emit(TokenKind::kGe, 2);
        else
          emit(TokenKind::kGt, 1);
        continue;
      case '=':
        if (peek(1) == '=') {
          emit(TokenKind::kEq, 2);
          continue;
        }
        return Fail(error, i, "'=' is not an operator", "use '==' to compare");
      case '&':
        if (peek(1) == '&') {
          emit(TokenKind::kAnd, 2);
          continue;
        }
        return Fail(error, i, "unexpected character '&'", "use '&&'");
      case '|':
        if (peek(1) == '|') {
          emit(TokenKind::kOr, 2);
          continue;
        }
        return Fail(error, i, "unexpected character '|'", "use '||'");
      case '"':
        return Fail(error, i, "unexpected character '\"'", "strings use single quotes: 'text'");
      case '-':
      case '+':
        return Fail(error, i, fmt::format("unexpected character '{}'", c),
                    "expressions have no arithmetic; only numbers may start with '-'");
      case '$':
      case '{':
      case '}':
        return Fail(error, i, fmt::format("unexpected character '{}'", c),
                    "write the expression without its ${{ }} wrapper here");
      default:
        return Fail(error, i, fmt::format("unexpected character '{}'", Printable(c)),
                    "expressions use names, 'strings', numbers, operators and function calls");
    }
  }
}

std::string Describe(std::string_view text, const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of expression";
  std::string_view spelled = text.substr(token.offset, token.length);
  if (spelled.size() > 24) return fmt::format("'{}...'", spelled.substr(0, 24));
  return fmt::format("'{}'", spelled);
}

size_t FindExpressionEnd(std::string_view text, size_t from, bool* in_string) {
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

}  // namespace gauntlet::spec
