#include "spec/expr_number.h"

#include <charconv>
#include <system_error>

namespace gauntlet::spec {
namespace {

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

std::optional<double> ParseRadix(std::string_view digits, int radix) {
  if (digits.empty()) return std::nullopt;
  double value = 0;
  for (char c : digits) {
    int d = DigitValue(c);
    if (d >= radix) return std::nullopt;
    value = value * radix + d;
  }
  return value;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  std::optional<double> value;
  if (body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    value = ParseRadix(body.substr(2), 16);
  } else if (body.size() > 1 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
    value = ParseRadix(body.substr(2), 8);
  } else {
    // from_chars also accepts "inf" and "nan"; numbers here must start with a digit or '.'.
    if (!(body[0] >= '0' && body[0] <= '9') && body[0] != '.') return std::nullopt;
    double d = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
    if (ec != std::errc() || end != body.data() + body.size()) return std::nullopt;
    value = d;
  }
  if (!value) return std::nullopt;
  return negative ? -*value : *value;
}

}  // namespace gauntlet::spec
