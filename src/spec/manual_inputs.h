// Typed inputs of a manual trigger (`on.manual.inputs`, GitHub's workflow_dispatch
// inputs): the values a trigger gives are checked against them before anything is queued,
// and reach expressions as `event.inputs.NAME` with their type (docs/server.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::spec {

// Why `text` is not a value of `input` (a number that does not parse, a boolean other
// than true/false, a choice not among the options); nullopt when it is.
std::optional<std::string> CheckInputValue(const ManualInput& input, const std::string& text);

// The inputs of a trigger: every declared input, with its default when not given, each
// as its type (boolean, number or string). `given` is a JSON object of names to strings
// (as `--input k=v` and GitHub's API send them), booleans or numbers. kInvalid, naming
// the input and what would be valid: an undeclared name, a missing required input, a
// value of the wrong type or outside the options.
Result<nlohmann::json> CheckInputs(const std::vector<ManualInput>& declared,
                                   const nlohmann::json& given);

}  // namespace gauntlet::spec
