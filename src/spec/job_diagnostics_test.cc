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

TEST(JobDiagnosticsTest, WrapperOptionsThatTakeAValueAreSkippedWithIt) {
  // Was: `nice -n 5 flake8` read `5` as the program, so a python job fell back to pytest.
  auto first = [](std::string command) {
    auto chosen = DiagnosticsFor(WithCommands({std::move(command)}, Language::kPython));
    return chosen.empty() ? std::string() : chosen.front();
  };
  EXPECT_EQ(first("nice -n 5 flake8 pkg"), "flake8");
  EXPECT_EQ(first("nice -5 ruff check pkg"), "ruff");
  EXPECT_EQ(first("nice --adjustment=5 black --check ."), "black");
  EXPECT_EQ(first("env -u HOME flake8 pkg"), "flake8");
  EXPECT_EQ(first("env -i -C src PATH=/usr/bin mypy ."), "mypy");
  EXPECT_EQ(first("sudo -u ci ruff check pkg"), "ruff");
  EXPECT_EQ(first("sudo -E -u ci -- black --check ."), "black");
  EXPECT_EQ(first("uv run --with ruff ruff check pkg"), "ruff");
  EXPECT_EQ(first("uv run --frozen --python 3.12 mypy ."), "mypy");
  EXPECT_EQ(first("uvx ruff check"), "ruff");
  EXPECT_EQ(first("uvx --from black==24.1 black --check ."), "black");
  EXPECT_EQ(first("pipx run black --check ."), "black");
  EXPECT_EQ(first("pipx run --spec flake8==7 flake8 pkg"), "flake8");
  EXPECT_EQ(first("timeout 60 ruff check pkg"), "ruff");
  EXPECT_EQ(first("timeout -s KILL -k 5 60 pytest -q"), "pytest");
  EXPECT_EQ(first("xargs -n 1 -P 4 mypy < files"), "mypy");
  EXPECT_EQ(first("stdbuf -o L flake8 pkg"), "flake8");
  EXPECT_EQ(first("ionice -c 3 nice -n 19 ruff check ."), "ruff");
  // A wrapper's plain options still take nothing with them: `env -i mypy` runs mypy.
  EXPECT_EQ(first("env -i mypy ."), "mypy");
  // Runners of anything pick nothing: the language's default.
  EXPECT_EQ(first("tox -e lint"), "pytest");
  EXPECT_EQ(first("pre-commit run --all-files"), "pytest");
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
