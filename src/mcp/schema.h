// A tool's input JSON Schema, compiled once and checked against every call's arguments
// before anything runs (valijson, draft 7 keywords).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace gauntlet::mcp {

class ArgumentSchema {
 public:
  explicit ArgumentSchema(const nlohmann::json& schema);
  ~ArgumentSchema();
  ArgumentSchema(ArgumentSchema&&) noexcept;
  ArgumentSchema& operator=(ArgumentSchema&&) noexcept;

  // "" when `arguments` is valid; else every problem, one per line, each naming the
  // argument ("environment: ...").
  std::string Check(const nlohmann::json& arguments) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace gauntlet::mcp
