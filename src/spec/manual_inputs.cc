#include "spec/manual_inputs.h"

#include <cmath>
#include <cstdlib>

#include "core/strings.h"
#include "spec/expr_value.h"

namespace gauntlet::spec {
namespace {

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return std::nullopt;
  return d;
}

// A value given as JSON, as the text it stands for ("true", "3").
std::optional<std::string> AsText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

// true/false in any case (YAML's `True` too).
std::optional<bool> ParseBool(const std::string& text) {
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  return std::nullopt;
}

nlohmann::json Typed(const ManualInput& in, const std::string& text) {
  if (in.type == "boolean") return *ParseBool(text);
  if (in.type == "number") {
    const double d = *ParseNumber(text);
    if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return d;
  }
  return text;
}

}  // namespace

std::optional<std::string> CheckInputValue(const ManualInput& in, const std::string& text) {
  if (in.type == "boolean" && !ParseBool(text))
    return "'" + text + "' is not a boolean: true or false";
  if (in.type == "number" && !ParseNumber(text)) return "'" + text + "' is not a number";
  if (in.type == "choice") {
    for (const std::string& o : in.options)
      if (o == text) return std::nullopt;
    return "'" + text + "' is not one of " + JoinComma(in.options);
  }
  return std::nullopt;
}

Result<nlohmann::json> CheckInputs(const std::vector<ManualInput>& declared,
                                   const nlohmann::json& given) {
  if (!given.is_null() && !given.is_object())
    return Error::Invalid("inputs must be an object of names to values");
  std::vector<std::string> names;
  for (const ManualInput& in : declared) names.push_back(in.name);
  if (given.is_object()) {
    for (const auto& [name, value] : given.items()) {
      bool known = false;
      for (const ManualInput& in : declared) known = known || in.name == name;
      if (!known)
        return Error::Invalid("unknown input '" + name + "'; " +
                              (names.empty() ? "the pipeline declares no inputs (on.manual.inputs)"
                                             : "inputs: " + JoinComma(names)));
    }
  }
  nlohmann::json out = nlohmann::json::object();
  for (const ManualInput& in : declared) {
    std::optional<std::string> text;
    if (given.is_object() && given.contains(in.name)) {
      text = AsText(given[in.name]);
      if (!text)
        return Error::Invalid("input '" + in.name + "' must be a string, boolean or number");
    } else if (in.default_value) {
      text = in.default_value;
    } else if (in.required) {
      return Error::Invalid("input '" + in.name + "' is required" +
                            (in.description.empty() ? "" : " (" + in.description + ")"));
    } else {
      // Not given, no default: what GitHub gives, the type's empty value.
      out[in.name] = in.type == "boolean" ? nlohmann::json(false)
                     : in.type == "number" ? nlohmann::json(nullptr)
                                           : nlohmann::json("");
      continue;
    }
    if (auto why = CheckInputValue(in, *text)) return Error::Invalid("input '" + in.name + "': " + *why);
    out[in.name] = Typed(in, *text);
  }
  return out;
}

}  // namespace gauntlet::spec
