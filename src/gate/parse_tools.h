// The per-tool parsers behind ParseDiagnostics (one file each, parse_*.cc).
// Each gets ANSI-free log text and returns diagnostics with the paths as the
// tool printed them; the registry makes them relative and fills `tool`.
#pragma once

#include <string_view>
#include <vector>

#include "gate/diagnostic.h"

namespace gauntlet::gate {

std::vector<Diagnostic> ParseGcc(std::string_view log);     // gcc, clang
std::vector<Diagnostic> ParseCargo(std::string_view log);   // rustc/cargo, human and JSON
std::vector<Diagnostic> ParseTsc(std::string_view log);     // plain and --pretty
std::vector<Diagnostic> ParseEslint(std::string_view log);  // stylish, unix, json
std::vector<Diagnostic> ParseRuff(std::string_view log);    // concise, full, json
std::vector<Diagnostic> ParseMypy(std::string_view log);
std::vector<Diagnostic> ParsePytest(std::string_view log);
std::vector<Diagnostic> ParseGo(std::string_view log);  // go build / test
std::vector<Diagnostic> ParseGoVet(std::string_view log);
std::vector<Diagnostic> ParseSarifLog(std::string_view log);  // a SARIF file's text
std::vector<Diagnostic> ParseJest(std::string_view log);      // jest and vitest failures
std::vector<Diagnostic> ParseCtest(std::string_view log);     // ctest's failed tests
std::vector<Diagnostic> ParseBlack(std::string_view log);     // black --check
std::vector<Diagnostic> ParseGithub(std::string_view log);  // ::error file=...:: commands

}  // namespace gauntlet::gate
