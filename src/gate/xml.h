// A small XML element tree built with expat, for the XML reports (JUnit,
// Cobertura). Reports are small next to the logs, so a tree is simpler than
// streaming callbacks for every reader.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gauntlet::gate {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside, concatenated
  std::vector<std::unique_ptr<XmlElement>> children;

  // The attribute's value, or "" when absent.
  const std::string& Attr(const std::string& key) const;
};

// Parses a whole document; errors carry expat's message and line.
Result<std::unique_ptr<XmlElement>> ParseXml(std::string_view text);

}  // namespace gauntlet::gate
