#include "gate/sarif.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "gate/json_in_log.h"
#include "gate/parse_tools.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

bool IsSecurityTool(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static constexpr const char* kTools[] = {"codeql",
                                           "semgrep",
                                           "bandit",
                                           "gosec",
                                           "trivy",
                                           "snyk",
                                           "checkov",
                                           "brakeman",
                                           "gitleaks",
                                           "tfsec",
                                           "grype",
                                           "njsscan",
                                           "devskim",
                                           "kics",
                                           "trufflehog",
                                           "osv-scanner",
                                           "dependency-check",
                                           "hadolint-security",
                                           "zizmor",
                                           "pip-audit",
                                           "npm audit",
                                           "horusec"};
  for (const char* t : kTools) {
    if (name.find(t) != std::string::npos) return true;
  }
  return false;
}

bool RuleSaysSecurity(const nlohmann::json& rule) {
  if (!rule.is_object() || !rule.contains("properties")) return false;
  const auto& p = rule["properties"];
  if (!p.is_object()) return false;
  if (p.contains("security-severity")) return true;
  if (p.contains("tags") && p["tags"].is_array()) {
    for (const auto& t : p["tags"]) {
      if (t.is_string() && (t.get<std::string>() == "security" ||
                            t.get<std::string>().rfind("external/cwe", 0) == 0)) {
        return true;
      }
    }
  }
  return false;
}

Severity LevelToSeverity(const std::string& level) {
  if (level == "error") return Severity::kError;
  if (level == "note" || level == "none") return Severity::kNote;
  return Severity::kWarning;  // "warning", and the SARIF default
}

const char* SeverityToLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "warning";
}

// A repository path as it is (relative to the checkout, as code-review tools expect); an
// absolute one as a file:// URI, which SARIF requires of an absolute location.
std::string SarifUri(const std::string& path) {
  return !path.empty() && path.front() == '/' ? "file://" + path : path;
}

}  // namespace

Result<std::vector<Diagnostic>> ParseSarif(std::string_view text, const ParseOptions& options) {
  nlohmann::json log = nlohmann::json::parse(text, nullptr, false);
  if (log.is_discarded() || !log.is_object()) return Error{"sarif: not a JSON object"};
  if (!log.contains("runs") || !log["runs"].is_array()) return Error{"sarif: no \"runs\" array"};
  std::vector<Diagnostic> out;
  try {
    for (const auto& run : log["runs"]) {
      const auto& driver = Field(Field(run, "tool"), "driver");
      const std::string tool = driver.value("name", "sarif");
      const bool security_tool = IsSecurityTool(tool);
      std::map<std::string, const nlohmann::json*> rules;
      if (Field(driver, "rules").is_array()) {
        for (const auto& r : Field(driver, "rules")) {
          if (r.is_object()) rules[r.value("id", "")] = &r;
        }
      }
      if (!Field(run, "results").is_array()) continue;
      for (const auto& res : Field(run, "results")) {
        Diagnostic d;
        d.tool = tool;
        d.rule = res.value("ruleId", "");
        if (d.rule.empty() && Field(res, "rule").is_object())
          d.rule = Field(res, "rule").value("id", "");
        const nlohmann::json* rule = nullptr;
        if (auto it = rules.find(d.rule); it != rules.end()) rule = it->second;
        if (rule == nullptr && Field(res, "ruleIndex").is_number_unsigned() &&
            Field(driver, "rules").is_array()) {
          size_t i = Field(res, "ruleIndex").get<size_t>();
          if (i < Field(driver, "rules").size()) rule = &Field(driver, "rules")[i];
        }
        if (d.rule.empty() && rule != nullptr && Field(*rule, "id").is_string()) {
          d.rule = Field(*rule, "id").get<std::string>();
        }
        std::string level = res.value("level", "");
        if (level.empty() && rule != nullptr && Field(*rule, "defaultConfiguration").is_object()) {
          level = Field(*rule, "defaultConfiguration").value("level", "");
        }
        d.severity = LevelToSeverity(level.empty() ? "warning" : level);
        d.category = security_tool || (rule != nullptr && RuleSaysSecurity(*rule))
                         ? Category::kSecurity
                         : Category::kLint;
        if (Field(res, "message").is_object()) d.message = Field(res, "message").value("text", "");
        if (Field(res, "locations").is_array() && !Field(res, "locations").empty()) {
          const auto& phys = Field(Field(res, "locations")[0], "physicalLocation");
          if (phys.is_object()) {
            d.file =
                RelativePath(Field(Field(phys, "artifactLocation"), "uri").is_string()
                                 ? Field(Field(phys, "artifactLocation"), "uri").get<std::string>()
                                 : "",
                             options.repo_root);
            if (Field(phys, "region").is_object()) {
              const auto& region = Field(phys, "region");
              d.line = region.value("startLine", 0);
              d.col = region.value("startColumn", 0);
              if (Field(region, "endLine").is_number())
                d.end_line = Field(region, "endLine").get<int>();
              if (Field(region, "endColumn").is_number())
                d.end_col = Field(region, "endColumn").get<int>();
            }
          }
        }
        if (Field(res, "relatedLocations").is_array()) {
          for (const auto& rl : Field(res, "relatedLocations")) {
            Note n;
            const auto& phys = Field(rl, "physicalLocation");
            const auto& uri = Field(Field(phys, "artifactLocation"), "uri");
            if (uri.is_string()) n.file = RelativePath(uri.get<std::string>(), options.repo_root);
            if (Field(phys, "region").is_object()) {
              n.line = Field(phys, "region").value("startLine", 0);
              n.col = Field(phys, "region").value("startColumn", 0);
            }
            if (Field(rl, "message").is_object())
              n.message = Field(rl, "message").value("text", "");
            d.notes.push_back(std::move(n));
          }
        }
        d.excerpt = res.dump();
        out.push_back(std::move(d));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Error{std::string("sarif: ") + e.what()};
  }
  return out;
}

std::vector<Diagnostic> ParseSarifLog(std::string_view log) {
  // The log may be the SARIF file itself or carry it among other lines.
  auto r = ParseSarif(log);
  if (r.ok()) return std::move(r).value();
  nlohmann::json j = FindJsonInLog(log, nlohmann::json::value_t::object);
  if (j.is_discarded()) return {};
  r = ParseSarif(j.dump());
  return r.ok() ? std::move(r).value() : std::vector<Diagnostic>{};
}

nlohmann::json ToSarif(const std::vector<Diagnostic>& diagnostics) {
  // One run per tool, in order of first appearance.
  std::vector<std::string> tools;
  for (const Diagnostic& d : diagnostics) {
    const std::string tool = d.tool.empty() ? "gauntlet" : d.tool;
    if (std::find(tools.begin(), tools.end(), tool) == tools.end()) tools.push_back(tool);
  }
  nlohmann::json runs = nlohmann::json::array();
  for (const std::string& tool : tools) {
    nlohmann::json rules = nlohmann::json::array();
    std::map<std::string, int> rule_index;
    nlohmann::json results = nlohmann::json::array();
    for (const Diagnostic& d : diagnostics) {
      if ((d.tool.empty() ? "gauntlet" : d.tool) != tool) continue;
      nlohmann::json r;
      if (!d.rule.empty()) {
        auto [it, inserted] = rule_index.emplace(d.rule, static_cast<int>(rules.size()));
        if (inserted) {
          rules.push_back({{"id", d.rule}, {"properties", {{"tags", {CategoryName(d.category)}}}}});
        }
        r["ruleId"] = d.rule;
        r["ruleIndex"] = it->second;
      }
      r["level"] = SeverityToLevel(d.severity);
      r["message"] = {{"text", d.message.empty() ? "(no message)" : d.message}};
      // A file outside the repository (a system header) is never the primary location:
      // code-review tools would annotate a file the change cannot touch.
      const bool outside = !d.file.empty() && d.file.front() == '/';
      if (!d.file.empty() && !outside) {
        nlohmann::json phys = {{"artifactLocation", {{"uri", d.file}}}};
        if (d.line > 0) {
          nlohmann::json region = {{"startLine", d.line}};
          if (d.col > 0) region["startColumn"] = d.col;
          if (d.end_line && *d.end_line >= d.line) region["endLine"] = *d.end_line;
          if (d.end_col && *d.end_col > 0) region["endColumn"] = *d.end_col;
          phys["region"] = std::move(region);
        }
        r["locations"] = nlohmann::json::array({{{"physicalLocation", std::move(phys)}}});
      }
      nlohmann::json related = nlohmann::json::array();
      std::vector<Note> notes = d.notes;
      if (outside) notes.insert(notes.begin(), {d.file, d.line, d.col, "reported here"});
      for (const Note& n : notes) {
        if (n.file.empty()) continue;
        nlohmann::json phys = {{"artifactLocation", {{"uri", SarifUri(n.file)}}}};
        if (n.line > 0) {
          phys["region"] = {{"startLine", n.line}};
          if (n.col > 0) phys["region"]["startColumn"] = n.col;
        }
        related.push_back({{"physicalLocation", std::move(phys)},
                           {"message", {{"text", n.message.empty() ? "related" : n.message}}}});
      }
      if (!related.empty()) r["relatedLocations"] = std::move(related);
      r["properties"] = {{"category", CategoryName(d.category)}};
      // A path found nowhere in the repository is kept as the tool printed it: say so, as
      // `diagnose --json` does, so a code-review tool does not trust it.
      if (d.file_unresolved) r["properties"]["file_unresolved"] = true;
      results.push_back(std::move(r));
    }
    runs.push_back({{"tool", {{"driver", {{"name", tool}, {"rules", std::move(rules)}}}}},
                    {"results", std::move(results)}});
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", std::move(runs)}};
}

}  // namespace gauntlet::gate
