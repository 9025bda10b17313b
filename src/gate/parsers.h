// Diagnostics parsers: a job's log text -> Diagnostics, selected by the job's
// `diagnostics:` names. Pure: the run layer hands in the log text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gate/diagnostic.h"

namespace gauntlet::gate {

struct ParseOptions {
  // Absolute paths under this directory are made relative to it.
  std::string repo_root;
};

// Parses `log` with the named parser (gcc, clang, cargo, rustc, clippy, tsc,
// eslint, ruff, mypy, pytest, go, go-vet, sarif). An unknown name is an error
// that lists the valid ones. File paths come out relative to repo_root.
Result<std::vector<Diagnostic>> ParseDiagnostics(std::string_view parser, std::string_view log,
                                                 const ParseOptions& options = {});

// The valid parser names, sorted.
std::vector<std::string> ParserNames();

// True when a `diagnostics:` entry names a problem-matcher file (ends in
// ".json") rather than a built-in parser: the caller reads the file and uses
// gate/problem_matcher.h.
bool IsProblemMatcherPath(std::string_view name);

}  // namespace gauntlet::gate
