#include "spec/yaml_tree.h"

#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace gauntlet::spec {
namespace {

// Owns a libyaml parser and deletes it on every path out.
struct Parser {
  yaml_parser_t p;
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
};

struct Event {
  yaml_event_t e;
  bool live = false;
  ~Event() {
    if (live) yaml_event_delete(&e);
  }
};

YamlNode::Style StyleOf(yaml_scalar_style_t s) {
  switch (s) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return YamlNode::Style::kSingleQuoted;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return YamlNode::Style::kDoubleQuoted;
    case YAML_LITERAL_SCALAR_STYLE:
      return YamlNode::Style::kLiteral;
    case YAML_FOLDED_SCALAR_STYLE:
      return YamlNode::Style::kFolded;
    default:
      return YamlNode::Style::kPlain;
  }
}

std::string Str(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

// Adds what `n` expands to (a new node: itself and its text; an alias: everything the
// node it names holds, which is complete by then) to the document's totals; false when
// a bound is crossed.
bool Count(const YamlNode* n, size_t* nodes, size_t* bytes) {
  *nodes += n->expanded_nodes;
  *bytes += n->expanded_bytes;
  return *nodes <= YamlDocument::kMaxExpandedNodes && *bytes <= YamlDocument::kMaxExpandedBytes;
}

std::string ExpansionMessage(size_t nodes, size_t bytes) {
  if (nodes > YamlDocument::kMaxExpandedNodes)
    return "the document expands to more than " + std::to_string(YamlDocument::kMaxExpandedNodes) +
           " nodes";
  return "the document expands to more than " +
         std::to_string(YamlDocument::kMaxExpandedBytes >> 20) + " MiB of text";
}

// libyaml reports bad bytes (invalid UTF-8, control characters) by byte offset, with no
// mark: place them at their own line and column (characters, as marks count them).
bool ReaderError(std::string_view text, const yaml_parser_t& p, YamlError* error) {
  size_t at = std::min(p.problem_offset, text.size());
  std::string what = p.problem ? p.problem : "invalid text";
  const bool utf8 = what.find("UTF-8") != std::string::npos;
  if (utf8) {
    // A bad trailing octet is reported at itself: point at the sequence's first byte.
    for (int k = 0; k < 3 && at > 0 && at < text.size() &&
                    (static_cast<unsigned char>(text[at]) & 0xC0) != 0xC0 &&
                    static_cast<unsigned char>(text[at - 1]) >= 0x80;
         ++k)
      --at;
  }
  size_t line_start = 0;
  error->line = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++error->line;
      line_start = i + 1;
    }
  }
  error->col = 0;
  for (size_t i = line_start; i < at; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++error->col;
  }
  char byte[8] = "";
  if (at < text.size())
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[at]));
  if (utf8) {
    error->message = std::string("the file is not valid UTF-8 here (byte ") + byte + ")";
    error->hint =
        "pipeline files are UTF-8 text: save it as UTF-8, or write the byte as \\xNN "
        "in a double-quoted string";
  } else {
    error->message = what + (*byte ? std::string(" (byte ") + byte + ")" : std::string());
    error->hint = "remove the character, or write it as an escape in a double-quoted string";
  }
  return false;
}

}  // namespace

bool YamlNode::is_null() const {
  return kind == Kind::kScalar && style == Style::kPlain && tag.empty() &&
         (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
}

YamlNode* YamlDocument::NewNode() {
  if (used_ == kChunk) {
    chunks_.push_back(std::make_unique<YamlNode[]>(kChunk));
    used_ = 0;
  }
  return &chunks_.back()[used_++];
}

bool YamlDocument::Parse(std::string_view text, YamlError* error) {
  chunks_.clear();
  used_ = kChunk;
  root_ = nullptr;
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  std::vector<YamlNode*> open;  // the sequences and maps being filled
  std::unordered_map<std::string, const YamlNode*> anchors;
  size_t total_nodes = 0, total_bytes = 0;  // the whole document, aliases expanded
  auto fail = [&](const yaml_mark_t& mark, std::string message) {
    error->line = static_cast<int>(mark.line);
    error->col = static_cast<int>(mark.column);
    error->message = std::move(message);
    error->hint.clear();
    root_ = nullptr;
    return false;
  };
  // Attaches a finished (or just opened) node to its parent, or makes it the root.
  auto attach = [&](const YamlNode* n) {
    if (open.empty()) {
      if (!root_) root_ = n;
    } else {
      open.back()->items.push_back(n);
    }
  };
  auto make = [&](const yaml_event_t& e, YamlNode::Kind kind, const yaml_char_t* tag) -> YamlNode* {
    YamlNode& n = *NewNode();
    n.kind = kind;
    n.line = static_cast<int>(e.start_mark.line);
    n.col = static_cast<int>(e.start_mark.column);
    n.begin = e.start_mark.index;
    n.end = e.end_mark.index;
    n.tag = Str(tag);
    return &n;
  };
  for (;;) {
    Event ev;
    if (!yaml_parser_parse(&parser.p, &ev.e)) {
      if (parser.p.error == YAML_READER_ERROR) {
        root_ = nullptr;
        return ReaderError(text, parser.p, error);
      }
      std::string msg = parser.p.problem ? parser.p.problem : "invalid YAML";
      if (parser.p.context) msg = std::string(parser.p.context) + ": " + msg;
      return fail(parser.p.problem_mark, "YAML syntax error: " + msg);
    }
    ev.live = true;
    const yaml_event_t& e = ev.e;
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        return true;
      case YAML_DOCUMENT_END_EVENT:
        // Only the first document is read; later ones are ignored.
        return true;
      case YAML_SCALAR_EVENT: {
        YamlNode* n = make(e, YamlNode::Kind::kScalar, e.data.scalar.tag);
        n->style = StyleOf(e.data.scalar.style);
        n->value.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        n->expanded_bytes = n->value.size();
        if (!Count(n, &total_nodes, &total_bytes))
          return fail(e.start_mark, ExpansionMessage(total_nodes, total_bytes));
        if (e.data.scalar.anchor) anchors[Str(e.data.scalar.anchor)] = n;
        attach(n);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (static_cast<int>(open.size()) >= kMaxDepth)
          return fail(e.start_mark, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        YamlNode* n = make(e, seq ? YamlNode::Kind::kSequence : YamlNode::Kind::kMap,
                           seq ? e.data.sequence_start.tag : e.data.mapping_start.tag);
        attach(n);
        open.push_back(n);
        if (!Count(n, &total_nodes, &total_bytes))
          return fail(e.start_mark, ExpansionMessage(total_nodes, total_bytes));
        // Registered when opened; an alias to it from inside is refused below.
        const yaml_char_t* anchor =
            seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
        if (anchor) anchors[Str(anchor)] = n;
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (open.empty()) return fail(e.start_mark, "unbalanced YAML events");
        open.back()->end = e.end_mark.index;
        for (const YamlNode* item : open.back()->items) {
          // Bounded: each term was counted into the totals, which stay under the limits.
          open.back()->expanded_nodes += item->expanded_nodes;
          open.back()->expanded_bytes += item->expanded_bytes;
        }
        open.pop_back();
        break;
      case YAML_ALIAS_EVENT: {
        auto it = anchors.find(Str(e.data.alias.anchor));
        if (it == anchors.end())
          return fail(e.start_mark, "unknown anchor '" + Str(e.data.alias.anchor) + "'");
        // An alias inside its own anchor would make the tree a cycle.
        for (const YamlNode* o : open)
          if (o == it->second)
            return fail(e.start_mark,
                        "alias '" + Str(e.data.alias.anchor) + "' refers to a node containing it");
        if (!Count(it->second, &total_nodes, &total_bytes)) {
          fail(e.start_mark, "alias '*" + Str(e.data.alias.anchor) +
                                 "': " + ExpansionMessage(total_nodes, total_bytes));
          error->hint = "each alias is a copy of the node it names; use fewer or smaller ones";
          return false;
        }
        attach(it->second);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace gauntlet::spec
