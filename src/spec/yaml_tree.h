// A YAML document as a small read-only tree that keeps every node's position and
// scalar style. Built from libyaml's event parser: on a 5,000-job file yaml-cpp
// took ~60 ms to parse, libyaml's events ~13 ms (see docs/pipeline.md).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::spec {

struct YamlNode {
  enum class Kind { kScalar, kSequence, kMap };
  enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral, kFolded };

  Kind kind = Kind::kScalar;
  Style style = Style::kPlain;
  int line = 0;  // 0-based position of the node's first character (a quote, `|`, `[`, ...)
  int col = 0;
  size_t begin = 0;  // byte range of the node in the source
  size_t end = 0;
  std::string value;  // scalars only
  std::string tag;    // an explicit tag ("tag:yaml.org,2002:str", "!foo"), else ""
  // Sequence items, or a map's keys and values alternately (key0, value0, key1, ...).
  std::vector<const YamlNode*> items;

  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_map() const { return kind == Kind::kMap; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  // A plain `~`, `null`, or nothing at all (`key:`).
  bool is_null() const;
  size_t pairs() const { return items.size() / 2; }
  const YamlNode* key(size_t i) const { return items[2 * i]; }
  const YamlNode* val(size_t i) const { return items[2 * i + 1]; }
};

struct YamlError {
  int line = 0;  // 0-based
  int col = 0;
  std::string message;
};

class YamlDocument {
 public:
  // Nesting deeper than this is refused (keeps every later walk shallow).
  static constexpr int kMaxDepth = 64;

  // Parses the first document of `text`. On a syntax error returns false and sets
  // *error; root() is then null. An empty document gives a null root too.
  bool Parse(std::string_view text, YamlError* error);
  const YamlNode* root() const { return root_; }

 private:
  YamlNode* NewNode();

  // Nodes in fixed-size chunks: stable addresses for the items pointers, and far
  // fewer allocations than a deque of these (big) nodes.
  static constexpr size_t kChunk = 256;
  std::vector<std::unique_ptr<YamlNode[]>> chunks_;
  size_t used_ = kChunk;  // nodes used in the last chunk
  const YamlNode* root_ = nullptr;
};

}  // namespace gauntlet::spec
