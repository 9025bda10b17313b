#include "gate/xml.h"

#include <expat.h>

namespace gauntlet::gate {

namespace {

struct Builder {
  std::unique_ptr<XmlElement> root;
  std::vector<XmlElement*> stack;
};

void OnStart(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* b = static_cast<Builder*>(data);
  auto e = std::make_unique<XmlElement>();
  e->name = name;
  for (int i = 0; attrs[i] != nullptr; i += 2) e->attrs[attrs[i]] = attrs[i + 1];
  XmlElement* raw = e.get();
  if (b->stack.empty()) {
    b->root = std::move(e);
  } else {
    b->stack.back()->children.push_back(std::move(e));
  }
  b->stack.push_back(raw);
}

void OnEnd(void* data, const XML_Char*) { static_cast<Builder*>(data)->stack.pop_back(); }

void OnText(void* data, const XML_Char* s, int len) {
  auto* b = static_cast<Builder*>(data);
  if (!b->stack.empty()) b->stack.back()->text.append(s, len);
}

}  // namespace

const std::string& XmlElement::Attr(const std::string& key) const {
  static const std::string kEmpty;
  auto it = attrs.find(key);
  return it == attrs.end() ? kEmpty : it->second;
}

Result<std::unique_ptr<XmlElement>> ParseXml(std::string_view text) {
  Builder b;
  XML_Parser p = XML_ParserCreate(nullptr);
  if (p == nullptr) return Error{"xml: cannot create parser"};
  XML_SetUserData(p, &b);
  XML_SetElementHandler(p, OnStart, OnEnd);
  XML_SetCharacterDataHandler(p, OnText);
  const bool ok =
      XML_Parse(p, text.data(), static_cast<int>(text.size()), /*isFinal=*/1) == XML_STATUS_OK;
  std::string error;
  if (!ok) {
    error = "xml: " + std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
            std::to_string(XML_GetCurrentLineNumber(p));
  }
  XML_ParserFree(p);
  if (!ok) return Error{error};
  if (!b.root) return Error{"xml: no root element"};
  return std::move(b.root);
}

}  // namespace gauntlet::gate
