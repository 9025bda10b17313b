#include "spec/job_diagnostics.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

Job WithCommands(std::vector<std::string> commands, Language language = Language::kNone) {
  Job j;
  j.name = "j";
  j.commands = std::move(commands);
  j.language = language;
  return j;
}

using ParserList = std::vector<std::string>;

TEST(JobDiagnosticsTest, AFormatterAndALinterInAPythonJobChooseTheirOwnParsers) {
  // Was: `language: python` always meant the pytest parser.
  Job fmt = WithCommands({"black --check src", "uv run ruff check src/"}, Language::kPython);
  EXPECT_EQ(DiagnosticsFor(fmt), (ParserList{"black", "ruff"}));
  EXPECT_EQ(DiagnosticsSource(fmt), "commands");
  Job tests = WithCommands({"python -m pytest -q --junitxml=r.xml"}, Language::kPython);
  EXPECT_EQ(DiagnosticsFor(tests), (ParserList{"pytest"}));
  // Nothing recognised: the language's default.
  Job other = WithCommands({"./scripts/check.sh", "make lint"}, Language::kPython);
  EXPECT_EQ(DiagnosticsFor(other), (ParserList{"pytest"}));
  EXPECT_EQ(DiagnosticsSource(other), "language");
  // `diagnostics:` always wins.
  fmt.diagnostics = {"ruff"};
  EXPECT_EQ(DiagnosticsFor(fmt), (ParserList{"ruff"}));
  EXPECT_EQ(DiagnosticsSource(fmt), "explicit");
  EXPECT_TRUE(DiagnosticsFor(WithCommands({"echo hi"})).empty());
  EXPECT_EQ(DiagnosticsSource(WithCommands({"echo hi"})), "");
}

TEST(JobDiagnosticsTest, CommandsAreSplitAndUnwrapped) {
  EXPECT_EQ(DiagnosticsFor(WithCommands({"cd src && CC=gcc-12 gcc-12 -c a.c || true"})),
            (ParserList{"gcc"}));
  EXPECT_EQ(DiagnosticsFor(WithCommands({"npx tsc -p . && npx --yes eslint src | tee out"})),
            (ParserList{"tsc", "eslint"}));
  EXPECT_EQ(DiagnosticsFor(WithCommands({"go vet ./...; go test ./...\ncargo clippy -- -D warnings",
                                          "(cd build && ctest --output-on-failure)"})),
            (ParserList{"go-vet", "go", "cargo", "ctest"}));
  EXPECT_EQ(DiagnosticsFor(WithCommands({"env -i PATH=/bin /usr/bin/clang++ x.cc",
                                          "poetry run mypy . && pnpm exec vitest run"})),
            (ParserList{"clang", "mypy", "vitest"}));
  EXPECT_EQ(DiagnosticsFor(WithCommands({"time flake8 .", "jest --ci", "gcc a.c", "g++ b.cc"})),
            (ParserList{"flake8", "jest", "gcc"}));
}

TEST(JobDiagnosticsTest, ProgramNames) {
  EXPECT_EQ(ParserForProgram("go", "vet"), "go-vet");
  EXPECT_EQ(ParserForProgram("go", "build"), "go");
  EXPECT_EQ(ParserForProgram("clang-14", ""), "clang");
  EXPECT_EQ(ParserForProgram("gcc-ar", ""), "") << "not a versioned compiler";
  EXPECT_EQ(ParserForProgram("make", "test"), "");
  EXPECT_EQ(ParserForProgram("npm", "test"), "");
}

}  // namespace
}  // namespace gauntlet::spec
