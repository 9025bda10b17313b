#include "mcp/schema.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace gauntlet::mcp {

struct ArgumentSchema::Compiled {
  valijson::Schema schema;
};

ArgumentSchema::ArgumentSchema(const nlohmann::json& schema)
    : compiled_(std::make_unique<Compiled>()) {
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(schema);
  parser.populateSchema(adapter, compiled_->schema);
}

ArgumentSchema::~ArgumentSchema() = default;
ArgumentSchema::ArgumentSchema(ArgumentSchema&&) noexcept = default;
ArgumentSchema& ArgumentSchema::operator=(ArgumentSchema&&) noexcept = default;

std::string ArgumentSchema::Check(const nlohmann::json& arguments) const {
  valijson::Validator validator;  // strong types: "5" is not an integer
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(arguments);
  if (validator.validate(compiled_->schema, target, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    // Context is "<root>", "[environment]", ...: the argument's path.
    std::string where;
    for (size_t i = 1; i < e.context.size(); ++i) {
      std::string part = e.context[i];
      if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
        part = part.substr(1, part.size() - 2);
      if (!part.empty() && part.front() == '"' && part.back() == '"' && part.size() >= 2)
        part = part.substr(1, part.size() - 2);
      where += (where.empty() ? "" : ".") + part;
    }
    out += (out.empty() ? "" : "\n") + (where.empty() ? std::string("arguments") : where) + ": " +
           e.description;
  }
  return out;
}

}  // namespace gauntlet::mcp
