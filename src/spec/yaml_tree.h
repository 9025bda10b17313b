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
  // The node as a reader walking through aliases sees it: itself and everything below,
  // each alias counted as a copy of the node it names (YamlDocument's expansion bound).
  size_t expanded_nodes = 1;
  size_t expanded_bytes = 0;  // scalar text

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
  std::string hint;  // what would be valid; empty: the loader's general advice
};

class YamlDocument {
 public:
  // Nesting deeper than this is refused (keeps every later walk shallow).
  static constexpr int kMaxDepth = 64;
  // A document that expands, each alias counted as a copy of what it names, to more
  // nodes or scalar bytes than this is refused at the alias that crosses the bound: a
  // few hundred kilobytes of nested aliases ("billion laughs") would otherwise make
  // every later walk of the tree read gigabytes.
  static constexpr size_t kMaxExpandedNodes = 1'000'000;
  static constexpr size_t kMaxExpandedBytes = size_t{32} << 20;

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
