#include "mcp/tool.h"

#include <algorithm>

namespace gauntlet::mcp {

ToolResult ToolError(std::string message) {
  ToolResult r;
  r.is_error = true;
  // No structuredContent: clients check it against the tool's output schema, which
  // describes success. The text says what went wrong.
  r.structured = nullptr;
  r.text = std::move(message);
  return r;
}

nlohmann::json ObjectSchema(nlohmann::json properties, std::vector<std::string> required) {
  nlohmann::json s = {{"type", "object"},
                      {"properties", std::move(properties)},
                      {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

Toolbox::Toolbox() {
  AddPipelineTools(&tools_);
  AddRunTools(&tools_);
  AddDeployTools(&tools_);
  AddInsightTools(&tools_);
  schemas_.reserve(tools_.size());
  for (const Tool& t : tools_) schemas_.emplace_back(t.input_schema);
}

const Tool* Toolbox::Find(const std::string& name) const {
  auto it = std::find_if(tools_.begin(), tools_.end(),
                         [&](const Tool& t) { return t.name == name; });
  return it == tools_.end() ? nullptr : &*it;
}

const ArgumentSchema& Toolbox::SchemaOf(const Tool& tool) const {
  return schemas_[static_cast<size_t>(&tool - tools_.data())];
}

std::vector<std::string> Toolbox::Names() const {
  std::vector<std::string> out;
  for (const Tool& t : tools_) out.push_back(t.name);
  return out;
}

}  // namespace gauntlet::mcp
