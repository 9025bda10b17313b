#include "spec/expr_value.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "spec/expr.h"
#include "spec/expr_number.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

// The kinds the rules distinguish; nlohmann's three number types are one kind here.
enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

Kind KindOf(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean:
      return Kind::kBool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return Kind::kNumber;
    case json::value_t::string:
      return Kind::kString;
    case json::value_t::array:
      return Kind::kArray;
    case json::value_t::object:
      return Kind::kObject;
    default:
      return Kind::kNull;  // null, binary, discarded
  }
}

// OrdinalIgnoreCase folds to upper case; folding to lower would order '_' differently.
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

double StringToNumber(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;
  if (s == "Infinity" || s == "+Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  std::optional<double> d = ParseNumber(s);
  return d ? *d : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

double ToNumber(const json& v) {
  switch (KindOf(v)) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return v.get<bool>() ? 1 : 0;
    case Kind::kNumber:
      return v.get<double>();
    case Kind::kString:
      return StringToNumber(v.get_ref<const std::string&>());
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Upper(a[i]) != Upper(b[i])) return false;
  }
  return true;
}

size_t FindIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

bool LooseEquals(const json& a, const json& b) {
  Kind ka = KindOf(a), kb = KindOf(b);
  if (ka != kb) return ToNumber(a) == ToNumber(b);  // NaN == anything is false
  switch (ka) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.get<bool>() == b.get<bool>();
    case Kind::kNumber:
      return a.get<double>() == b.get<double>();
    case Kind::kString:
      return EqualsIgnoreCase(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
    default:
      return &a == &b;
  }
}

Order Compare(const json& a, const json& b) {
  if (KindOf(a) == Kind::kString && KindOf(b) == Kind::kString) {
    const std::string& x = a.get_ref<const std::string&>();
    const std::string& y = b.get_ref<const std::string&>();
    size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
      auto cx = static_cast<unsigned char>(Upper(x[i]));
      auto cy = static_cast<unsigned char>(Upper(y[i]));
      if (cx != cy) return cx < cy ? Order::kLess : Order::kGreater;
    }
    if (x.size() == y.size()) return Order::kEqual;
    return x.size() < y.size() ? Order::kLess : Order::kGreater;
  }
  double x = ToNumber(a), y = ToNumber(b);
  if (std::isnan(x) || std::isnan(y)) return Order::kUnordered;
  if (x < y) return Order::kLess;
  if (x > y) return Order::kGreater;
  return Order::kEqual;
}

std::string NumberText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";  // also -0
  if (std::trunc(d) == d && std::fabs(d) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(d));
  }
  return fmt::format("{:.15g}", d);
}

void AppendText(const json& v, std::string* out) {
  switch (v.type()) {
    case json::value_t::string:
      *out += v.get_ref<const std::string&>();
      return;
    case json::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      *out += fmt::format("{}", v.get<int64_t>());
      return;
    case json::value_t::number_unsigned:
      *out += fmt::format("{}", v.get<uint64_t>());
      return;
    case json::value_t::number_float:
      *out += NumberText(v.get<double>());
      return;
    case json::value_t::array:
    case json::value_t::object:
      // Strings from the environment may be invalid UTF-8; replace rather than throw.
      *out += v.dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    default:
      return;  // null
  }
}

std::string ToText(const json& v) {
  std::string out;
  AppendText(v, &out);
  return out;
}

bool Truthy(const json& v) {
  switch (KindOf(v)) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.get<bool>();
    case Kind::kNumber: {
      double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
    case Kind::kString:
      return !v.get_ref<const std::string&>().empty();
    default:
      return true;
  }
}

const json* FindMember(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it != obj.end()) return &*it;
  for (auto member = obj.begin(); member != obj.end(); ++member) {
    if (EqualsIgnoreCase(member.key(), key)) return &*member;
  }
  return nullptr;
}

}  // namespace gauntlet::spec
