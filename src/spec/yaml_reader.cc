#include "spec/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/strings.h"

namespace gauntlet::spec {
namespace {

bool ParseInt(std::string_view s, long long* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty() && std::isfinite(*out);
}

}  // namespace

Location YamlReader::Loc(const YamlNode* n) const {
  if (!n) return Location{file_, 0, 0};
  return Location{file_, n->line + 1, n->col + 1};
}

Location YamlReader::LocAt(const YamlNode* n, size_t offset) const {
  if (!n || n->begin >= source_.size()) return Loc(n);
  size_t p = n->begin;
  size_t end = std::min(n->end, source_.size());
  switch (n->style) {
    case YamlNode::Style::kSingleQuoted:
    case YamlNode::Style::kDoubleQuoted:
      ++p;  // the opening quote
      break;
    case YamlNode::Style::kLiteral:
    case YamlNode::Style::kFolded: {
      size_t nl = source_.find('\n', p);  // content starts on the line after `|`
      if (nl == std::string_view::npos || nl >= end) return Loc(n);
      p = nl + 1;
      break;
    }
    case YamlNode::Style::kPlain:
      break;
  }
  // Walk the value and the source together; source characters that are not in the
  // value (indentation, escapes, folded line breaks) are skipped.
  const std::string& v = n->value;
  for (size_t i = 0; i < offset && i < v.size(); ++i) {
    size_t q = p;
    while (q < end && source_[q] != v[i]) ++q;
    if (q >= end) break;  // lost track (an escape): keep the last good position
    p = q + 1;
  }
  if (offset < v.size()) {
    while (p < end && source_[p] != v[offset]) ++p;
  }
  if (p > end) p = end;
  int line = n->line;
  size_t line_start = n->begin - std::min<size_t>(n->begin, static_cast<size_t>(n->col));
  for (size_t i = n->begin; i < p; ++i) {
    if (source_[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return Location{file_, line + 1, static_cast<int>(p - line_start) + 1};
}

void YamlReader::Error(const YamlNode* n, std::string message, std::string hint) const {
  problems_->Error(Loc(n), std::move(message), std::move(hint));
}

void YamlReader::Warning(const YamlNode* n, std::string message, std::string hint) const {
  problems_->Warning(Loc(n), std::move(message), std::move(hint));
}

bool YamlReader::LooksNumeric(const YamlNode* n) {
  if (!n || !n->is_scalar() || n->style != YamlNode::Style::kPlain || !n->tag.empty()) return false;
  double d;
  return ParseDouble(n->value, &d);
}

bool YamlReader::LooksBool(const YamlNode* n) {
  return n && n->is_scalar() && n->style == YamlNode::Style::kPlain && n->tag.empty() &&
         (n->value == "true" || n->value == "false" || n->value == "True" || n->value == "False" ||
          n->value == "TRUE" || n->value == "FALSE");
}

std::string YamlReader::Describe(const YamlNode* n) {
  if (!n || n->is_null()) return "nothing";
  if (n->is_map()) return "a map";
  if (n->is_sequence()) return "a list";
  if (LooksBool(n)) return "a boolean";
  if (LooksNumeric(n)) return "a number";
  return "a string";
}

void YamlReader::TypeError(const YamlNode* n, std::string_view what, std::string hint) const {
  Error(n, "expected " + std::string(what) + ", got " + Describe(n), std::move(hint));
}

bool YamlReader::CheckMap(const YamlNode* n) const {
  if (n && n->is_map()) return true;
  TypeError(n, "a map");
  return false;
}

bool YamlReader::AcceptKey(const YamlNode* n, size_t i, std::string_view where,
                           const std::vector<std::string>& valid, KeySet* seen) const {
  // Small maps (nearly all) check duplicates by scanning; big ones (a jobs map) hash.
  constexpr size_t kScanLimit = 16;
  const YamlNode* k = n->key(i);
  if (!k->is_scalar()) {
    Error(k, "keys must be strings, got " + Describe(k));
    return false;
  }
  bool duplicate = false;
  if (n->pairs() > kScanLimit) {
    if (seen->empty()) seen->reserve(n->pairs());
    duplicate = !seen->insert(k->value).second;
  } else {
    for (size_t j = 0; j < i && !duplicate; ++j)
      duplicate = n->key(j)->is_scalar() && n->key(j)->value == k->value;
  }
  if (duplicate) {
    Error(k, "duplicate key '" + k->value + "' in " + std::string(where),
          "each key may appear once");
    return false;
  }
  if (!valid.empty() && std::find(valid.begin(), valid.end(), k->value) == valid.end()) {
    std::string guess = DidYouMean(k->value, valid);
    std::string hint = guess.empty() ? "" : "did you mean '" + guess + "'? ";
    Error(k, "unknown key '" + k->value + "' in " + std::string(where),
          hint + "valid keys: " + JoinComma(valid));
    return false;
  }
  return true;
}

bool YamlReader::String(const YamlNode* n, std::string* out) const {
  if (!n || !n->is_scalar() || n->is_null()) {
    TypeError(n, "a string");
    return false;
  }
  *out = n->value;
  return true;
}

bool YamlReader::Bool(const YamlNode* n, bool* out) const {
  if (!LooksBool(n)) {
    TypeError(n, "true or false");
    return false;
  }
  *out = n->value[0] == 't' || n->value[0] == 'T';
  return true;
}

bool YamlReader::Int(const YamlNode* n, int* out, int min, int max) const {
  long long v = 0;
  if (!n || !n->is_scalar() || n->is_null() || !ParseInt(n->value, &v)) {
    TypeError(n, "a whole number");
    return false;
  }
  if (v < min || v > max) {
    Error(n, "value " + n->value + " is out of range",
          "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool YamlReader::Number(const YamlNode* n, double* out, double min, double max) const {
  double v = 0;
  if (!n || !n->is_scalar() || n->is_null() || !ParseDouble(n->value, &v)) {
    TypeError(n, "a number");
    return false;
  }
  if (v < min || v > max) {
    auto fmt = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    };
    Error(n, "value " + n->value + " is out of range",
          "expected a number from " + fmt(min) + " to " + fmt(max));
    return false;
  }
  *out = v;
  return true;
}

bool YamlReader::DurationValue(const YamlNode* n, Duration* out) const {
  if (!n || !n->is_scalar() || n->is_null()) {
    TypeError(n, "a duration", "durations look like 500ms, 10s, 5m, 1h or 1m30s");
    return false;
  }
  Result<Duration> d = ParseDuration(n->value);
  if (!d.ok()) {
    Error(n, d.error().message, DurationHint(n->value));
    return false;
  }
  *out = *d;
  return true;
}

bool YamlReader::Enum(const YamlNode* n, std::string* out, std::string_view what,
                      const std::vector<std::string>& valid) const {
  std::string v;
  if (!String(n, &v)) return false;
  if (std::find(valid.begin(), valid.end(), v) == valid.end()) {
    std::string guess = DidYouMean(v, valid);
    Error(n, "unknown " + std::string(what) + " '" + v + "'",
          (guess.empty() ? "" : "did you mean '" + guess + "'? ") +
              "valid values: " + JoinComma(valid));
    return false;
  }
  *out = v;
  return true;
}

bool YamlReader::StringList(const YamlNode* n, std::vector<std::string>* out,
                            bool single_ok) const {
  std::vector<Located> located;
  if (!LocatedList(n, &located, single_ok)) return false;
  out->clear();
  for (auto& l : located) out->push_back(std::move(l.value));
  return true;
}

bool YamlReader::LocatedList(const YamlNode* n, std::vector<Located>* out, bool single_ok) const {
  out->clear();
  if (n && n->is_null()) return true;  // `key:` with nothing: an empty list
  if (single_ok && n && n->is_scalar()) {
    out->push_back({n->value, Loc(n)});
    return true;
  }
  if (!n || !n->is_sequence()) {
    TypeError(n, single_ok ? "a string or a list of strings" : "a list of strings");
    return false;
  }
  bool ok = true;
  for (const YamlNode* item : n->items) {
    if (!item->is_scalar() || item->is_null()) {
      TypeError(item, "a string");
      ok = false;
      continue;
    }
    out->push_back({item->value, Loc(item)});
  }
  return ok;
}

bool YamlReader::KeyValueMap(const YamlNode* n, std::string_view where, KeyValues* out,
                             std::vector<Location>* locs) const {
  if (n && n->is_null()) return true;
  return ForEach(n, where, {}, [&](const std::string& key, const YamlNode*, const YamlNode* v) {
    if (!v->is_scalar()) {
      TypeError(v, "a string, number or boolean");
      return;
    }
    out->emplace_back(key, v->is_null() ? "" : v->value);
    if (locs) locs->push_back(Loc(v));
  });
}

}  // namespace gauntlet::spec
