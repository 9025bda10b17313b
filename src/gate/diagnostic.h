// Diagnostic: one problem a tool reported (compile error, lint finding, type
// error, failed test, security finding), normalised so that agents and gates
// read every tool the same way.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gauntlet::gate {

// What kind of fix a diagnostic asks for.
enum class Category { kBuild, kLint, kType, kTest, kSecurity, kOther };

enum class Severity { kError, kWarning, kNote };

const char* CategoryName(Category category);
std::optional<Category> ParseCategory(std::string_view name);
const char* SeverityName(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view name);

// A related location or context line: "In file included from a.c:1",
// "note: function defined here" at src/main.rs:1:4, "In function 'main'".
struct Note {
  std::string file;  // may be empty: context without a location
  int line = 0;
  int col = 0;
  std::string message;

  bool operator==(const Note&) const = default;
};

struct Diagnostic {
  Category category = Category::kOther;
  Severity severity = Severity::kError;
  std::string file;  // relative to the repository root when it was under it
  int line = 0;      // 1-based; 0: unknown
  int col = 0;       // 1-based; 0: unknown
  std::optional<int> end_line;
  std::optional<int> end_col;
  std::string message;
  std::string rule;  // -Wunused-variable, E501, no-unused-vars, TS2322, a test id
  std::string tool;  // gcc, clang, rustc, clippy, tsc, eslint, pytest, ...
  std::vector<Note> notes;
  std::string excerpt;  // the raw log lines it came from
  // The file was found neither where the tool ran nor as the one tracked file ending in
  // that path (gate/repo_paths.h): `file` is as the tool printed it. JSON:
  // "file_unresolved": true, only when set.
  bool file_unresolved = false;

  bool operator==(const Diagnostic&) const = default;
};

nlohmann::json ToJson(const Diagnostic& d);
nlohmann::json ToJson(const std::vector<Diagnostic>& list);
Result<Diagnostic> DiagnosticFromJson(const nlohmann::json& j);

// "file:line:col" (as much of it as is known), for messages; " (file not found)" after
// it when the file could not be placed in the repository.
std::string FormatLocation(const Diagnostic& d);

}  // namespace gauntlet::gate
