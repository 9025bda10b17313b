// Typed reads out of a YamlNode tree: each getter checks the node's type and records a
// located problem ("expected a list of strings, got a map") instead of failing, so one
// pass reports every mistake in the file.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/duration.h"
#include "core/location.h"
#include "spec/model.h"
#include "spec/problems.h"
#include "spec/yaml_tree.h"

namespace gauntlet::spec {

class YamlReader {
 public:
  YamlReader(std::string file, std::string_view source, Problems* problems)
      : file_(std::move(file)), source_(source), problems_(problems) {}

  const std::string& file() const { return file_; }
  Problems* problems() const { return problems_; }

  // Where a node starts (1-based).
  Location Loc(const YamlNode* n) const;
  // Where byte `offset` of a scalar's value stands in the file (quotes, block scalar
  // indentation and folding accounted for).
  Location LocAt(const YamlNode* n, size_t offset) const;

  void Error(const YamlNode* n, std::string message, std::string hint = "") const;
  void Warning(const YamlNode* n, std::string message, std::string hint = "") const;

  // "a map", "a list", "a string", "a number", "a boolean", "nothing".
  static std::string Describe(const YamlNode* n);
  // Records "expected <what>, got <Describe(n)>".
  void TypeError(const YamlNode* n, std::string_view what, std::string hint = "") const;

  // Calls fn(key, key node, value node) for each pair of map `n`. Non-string keys,
  // duplicate keys and keys outside `valid` (when not empty) are reported, not visited.
  // `where` completes "unknown key 'x' in <where>". False when `n` is not a map.
  template <typename Fn>
  bool ForEach(const YamlNode* n, std::string_view where, const std::vector<std::string>& valid,
               Fn&& fn) const {
    if (!CheckMap(n)) return false;
    KeySet seen;
    for (size_t i = 0; i < n->pairs(); ++i)
      if (AcceptKey(n, i, where, valid, &seen)) fn(n->key(i)->value, n->key(i), n->val(i));
    return true;
  }

  // Scalar getters: false (with a problem recorded) on a wrong type or value.
  bool String(const YamlNode* n, std::string* out) const;
  bool Bool(const YamlNode* n, bool* out) const;
  bool Int(const YamlNode* n, int* out, int min, int max) const;
  bool Number(const YamlNode* n, double* out, double min, double max) const;
  bool DurationValue(const YamlNode* n, Duration* out) const;
  // One of `valid`; `what` names it in the message ("strategy").
  bool Enum(const YamlNode* n, std::string* out, std::string_view what,
            const std::vector<std::string>& valid) const;

  // A list of strings; with `single_ok` a lone string is a one-item list.
  bool StringList(const YamlNode* n, std::vector<std::string>* out, bool single_ok = false) const;
  bool LocatedList(const YamlNode* n, std::vector<Located>* out, bool single_ok = false) const;
  // A map of names to scalar values, in file order; `locs` gets each value's location.
  bool KeyValueMap(const YamlNode* n, std::string_view where, KeyValues* out,
                   std::vector<Location>* locs = nullptr) const;

  // Plain scalars that YAML would read as numbers / booleans.
  static bool LooksNumeric(const YamlNode* n);
  static bool LooksBool(const YamlNode* n);

 private:
  // Keys seen in a big map (small maps are scanned instead).
  using KeySet = std::unordered_set<std::string_view>;
  bool CheckMap(const YamlNode* n) const;
  // Whether pair `i` of map `n` is a string key seen once and among `valid`.
  bool AcceptKey(const YamlNode* n, size_t i, std::string_view where,
                 const std::vector<std::string>& valid, KeySet* seen) const;

  std::string file_;
  std::string_view source_;
  Problems* problems_;
};

}  // namespace gauntlet::spec
