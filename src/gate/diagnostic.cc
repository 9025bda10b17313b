#include "gate/diagnostic.h"

#include <nlohmann/json.hpp>

namespace gauntlet::gate {

namespace {

constexpr std::pair<Category, const char*> kCategories[] = {
    {Category::kBuild, "build"}, {Category::kLint, "lint"},         {Category::kType, "type"},
    {Category::kTest, "test"},   {Category::kSecurity, "security"}, {Category::kOther, "other"},
};

constexpr std::pair<Severity, const char*> kSeverities[] = {
    {Severity::kError, "error"}, {Severity::kWarning, "warning"}, {Severity::kNote, "note"}};

}  // namespace

const char* CategoryName(Category category) {
  for (const auto& [c, name] : kCategories) {
    if (c == category) return name;
  }
  return "other";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (const auto& [c, n] : kCategories) {
    if (name == n) return c;
  }
  return std::nullopt;
}

const char* SeverityName(Severity severity) {
  for (const auto& [s, name] : kSeverities) {
    if (s == severity) return name;
  }
  return "error";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (const auto& [s, n] : kSeverities) {
    if (name == n) return s;
  }
  return std::nullopt;
}

nlohmann::json ToJson(const Diagnostic& d) {
  nlohmann::json j = {
      {"category", CategoryName(d.category)},
      {"severity", SeverityName(d.severity)},
      {"file", d.file},
      {"line", d.line},
      {"col", d.col},
      {"message", d.message},
      {"rule", d.rule},
      {"tool", d.tool},
  };
  if (d.end_line) j["end_line"] = *d.end_line;
  if (d.end_col) j["end_col"] = *d.end_col;
  nlohmann::json notes = nlohmann::json::array();
  for (const Note& n : d.notes) {
    notes.push_back({{"file", n.file}, {"line", n.line}, {"col", n.col}, {"message", n.message}});
  }
  j["notes"] = std::move(notes);
  j["excerpt"] = d.excerpt;
  if (d.file_unresolved) j["file_unresolved"] = true;
  return j;
}

nlohmann::json ToJson(const std::vector<Diagnostic>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const Diagnostic& d : list) out.push_back(ToJson(d));
  return out;
}

Result<Diagnostic> DiagnosticFromJson(const nlohmann::json& j) {
  try {
    if (!j.is_object()) return Error{"diagnostic: expected a JSON object"};
    Diagnostic d;
    const std::string category = j.value("category", "other");
    const std::string severity = j.value("severity", "error");
    auto c = ParseCategory(category);
    if (!c) return Error{"diagnostic: unknown category '" + category + "'"};
    auto s = ParseSeverity(severity);
    if (!s) return Error{"diagnostic: unknown severity '" + severity + "'"};
    d.category = *c;
    d.severity = *s;
    d.file = j.value("file", "");
    d.line = j.value("line", 0);
    d.col = j.value("col", 0);
    if (j.contains("end_line")) d.end_line = j.at("end_line").get<int>();
    if (j.contains("end_col")) d.end_col = j.at("end_col").get<int>();
    d.message = j.value("message", "");
    d.rule = j.value("rule", "");
    d.tool = j.value("tool", "");
    d.excerpt = j.value("excerpt", "");
    d.file_unresolved = j.value("file_unresolved", false);
    if (j.contains("notes")) {
      for (const auto& n : j.at("notes")) {
        d.notes.push_back(
            {n.value("file", ""), n.value("line", 0), n.value("col", 0), n.value("message", "")});
      }
    }
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Error{std::string("diagnostic: ") + e.what()};
  }
}

std::string FormatLocation(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ":" + std::to_string(d.line);
    if (d.col > 0) out += ":" + std::to_string(d.col);
  }
  if (d.file_unresolved) out += " (file not found)";
  return out;
}

}  // namespace gauntlet::gate
