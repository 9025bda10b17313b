#include "gate/parsers.h"

#include <algorithm>

#include "gate/parse_tools.h"
#include "gate/repo_paths.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

struct ParserEntry {
  const char* name;
  std::vector<Diagnostic> (*parse)(std::string_view);
  const char* tool;  // filled in where the parser did not name the tool itself
};

constexpr ParserEntry kParsers[] = {
    {"black", ParseBlack, "black"},    {"cargo", ParseCargo, "rustc"},
    {"clang", ParseGcc, "clang"},      {"clippy", ParseCargo, "rustc"},
    {"ctest", ParseCtest, "ctest"},    {"eslint", ParseEslint, "eslint"},
    {"flake8", ParseRuff, "flake8"},   {"gcc", ParseGcc, "gcc"},
    {"github", ParseGithub, "github"}, {"go", ParseGo, "go"},
    {"go-vet", ParseGoVet, "go vet"},
    {"jest", ParseJest, "jest"},       {"mypy", ParseMypy, "mypy"},
    {"pytest", ParsePytest, "pytest"}, {"ruff", ParseRuff, "ruff"},
    {"rustc", ParseCargo, "rustc"},    {"sarif", ParseSarifLog, "sarif"},
    {"tsc", ParseTsc, "tsc"},          {"vitest", ParseJest, "vitest"},
};

}  // namespace

std::vector<std::string> ParserNames() {
  std::vector<std::string> names;
  for (const auto& p : kParsers) names.emplace_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

bool IsProblemMatcherPath(std::string_view name) {
  return name.size() > 5 && name.substr(name.size() - 5) == ".json";
}

Result<std::vector<Diagnostic>> ParseDiagnostics(std::string_view parser, std::string_view log,
                                                 const ParseOptions& options) {
  const ParserEntry* entry = nullptr;
  for (const auto& p : kParsers) {
    if (parser == p.name) entry = &p;
  }
  if (entry == nullptr) {
    std::string valid;
    for (const auto& n : ParserNames()) valid += (valid.empty() ? "" : ", ") + n;
    return Error{"unknown diagnostics parser '" + std::string(parser) + "' (valid: " + valid +
                 ", or a problem-matcher .json file)"};
  }
  const std::string clean = StripAnsi(log);
  std::vector<Diagnostic> out = entry->parse(clean);
  for (Diagnostic& d : out) {
    d.file = RelativePath(d.file, options.repo_root);
    for (Note& n : d.notes) n.file = RelativePath(n.file, options.repo_root);
    // Without a root an absolute path under the repository would look outside it.
    if (!options.repo_root.empty()) PreferRepositoryLocation(d);
    if (d.tool.empty()) d.tool = entry->tool;
  }
  return out;
}

}  // namespace gauntlet::gate
