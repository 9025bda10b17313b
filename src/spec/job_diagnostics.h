// Which diagnostics parsers read a failed job's log when its `diagnostics:` names none:
// the tools its commands run, else its language's default. A `language: python` job that
// runs `black --check` and `ruff check` gets the black and ruff parsers, not pytest's.
//
// The rule (docs/diagnostics.md): each command is split into simple commands at `&&`,
// `||`, `;`, `|`, `&`, newlines and parentheses; leading `VAR=value` assignments and
// wrappers (`npx`, `uv run`, `poetry run`, `python -m`, `env`, `time`, `exec`, ...) are
// skipped; the program's name (its last path component) then picks a parser, in order of
// first appearance, once each. Nothing recognised: the language's default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/model.h"

namespace gauntlet::spec {

// The parser a program selects ("" for none): `gcc`, `g++`, `cc`, `c++` (and versioned
// names such as gcc-12) → gcc; `clang`, `clang++` → clang; `cargo`, `rustc` → cargo;
// `go vet` → go-vet, other `go` commands → go; `tsc`, `eslint`, `jest`, `vitest`,
// `ctest`, `pytest`, `mypy`, `ruff`, `flake8`, `black` → their own. Build drivers (make,
// ninja, cmake, npm) run anything and select nothing. `subcommand` is the next word.
std::string ParserForProgram(std::string_view program, std::string_view subcommand);

// The parsers for `job`: its `diagnostics:` when set, else those its commands select,
// else its language's default (DefaultDiagnostics), else none.
std::vector<std::string> DiagnosticsFor(const Job& job);

// Whether DiagnosticsFor(job) came from `diagnostics:`, the commands or the language, for
// `gauntlet plan` ("explicit", "commands", "language", "" when none).
std::string DiagnosticsSource(const Job& job);

}  // namespace gauntlet::spec
