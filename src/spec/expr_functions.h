// The functions expressions may call: a table for the parser (names, arity) and their
// implementations for the evaluator.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "core/result.h"
#include "spec/expr.h"

namespace gauntlet::spec {

enum class FunctionId {
  kContains,
  kStartsWith,
  kEndsWith,
  kFormat,
  kJoin,
  kToJson,
  kFromJson,
  kSuccess,
  kFailure,
  kAlways,
  kCancelled,
  // hashFiles(pattern, ...): evaluated by the evaluator, which knows the workspace
  // (github.workspace); spec/hash_files.h.
  kHashFiles,
  // `changes.any('glob')`: written as a method of the `changes` context; the parser
  // passes that context as a hidden first argument (min/max_args count the visible ones).
  kChangesAny,
};

struct FunctionSpec {
  FunctionId id;
  std::string_view name;  // canonical spelling; calls match it case-insensitively
  size_t min_args;
  size_t max_args;  // SIZE_MAX for format()
};

// The function named `name` (any case), or nullptr.
const FunctionSpec* FindFunction(std::string_view name);
// "contains, startsWith, ..." for hints.
std::string FunctionNames();
// The canonical names, for did-you-mean suggestions and validation.
std::vector<std::string> FunctionNameList();

// Calls `fn` with evaluated arguments (already checked against its arity).
Result<nlohmann::json> CallFunction(const FunctionSpec& fn,
                                    std::span<const nlohmann::json* const> args,
                                    EvalContext::Status status);

}  // namespace gauntlet::spec
