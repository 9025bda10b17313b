#include "spec/yaml_tree.h"

#include <yaml.h>

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
  auto fail = [&](const yaml_mark_t& mark, std::string message) {
    error->line = static_cast<int>(mark.line);
    error->col = static_cast<int>(mark.column);
    error->message = std::move(message);
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
        attach(it->second);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace gauntlet::spec
