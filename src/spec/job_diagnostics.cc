#include "spec/job_diagnostics.h"

#include <algorithm>
#include <array>

namespace gauntlet::spec {
namespace {

// A word that runs a later word as the program: `npx eslint`, `nice -n 5 flake8`,
// `timeout 60 ruff`. Its options that take the next word as their value are listed (the
// `--opt=value` and `-n5` forms are one word anyway), and how many plain words come before
// the program (`timeout`'s duration).
struct Wrapper {
  std::string_view name;
  std::string_view valued;  // space-separated
  int operands = 0;
};

// The entry of `table` called `name`, or null.
template <typename Entry, size_t N>
const Entry* ByName(const Entry (&table)[N], std::string_view name) {
  for (const Entry& e : table)
    if (e.name == name) return &e;
  return nullptr;
}

const Wrapper* FindWrapper(std::string_view name) {
  static const Wrapper kWrappers[] = {
      {"npx", "-p --package -c --call"},
      {"bunx", "-p --package"},
      {"pnpx", ""},
      {"uvx",
       "--from --with --with-requirements -p --python --index --index-url --extra-index-url"},
      {"env", "-u --unset -C --chdir"},
      {"time", "-f --format -o --output"},
      {"exec", "-a"},
      {"nice", "-n --adjustment"},
      {"ionice", "-c --class -n --classdata"},
      {"sudo",
       "-u --user -g --group -h --host -p --prompt -C --close-from -D --chdir -R --chroot "
       "-T --command-timeout -U --other-user -r --role -t --type"},
      {"xargs",
       "-n --max-args -I -P --max-procs -L --max-lines -s --max-chars -d --delimiter -E -a "
       "--arg-file"},
      {"timeout", "-s --signal -k --kill-after", 1},
      {"command", ""},
      {"nohup", ""},
      {"stdbuf", "-i --input -o --output -e --error"},
  };
  return ByName(kWrappers, name);
}

// Wrappers followed by a subcommand word first: `uv run`, `poetry run`, `pnpm exec`,
// `pipx run`, with the options of that subcommand that take a value (`uv run --with ruff`).
struct Runner {
  std::string_view name;
  std::string_view valued;  // space-separated
};

const Runner* FindRunner(std::string_view name) {
  static const Runner kRunners[] = {
      {"uv",
       "--with --with-requirements --with-editable -p --python --group --extra --package "
       "--project --directory --env-file --index --index-url --extra-index-url --only-group "
       "--no-group"},
      {"poetry", "-C --directory -P --project"},
      {"pipenv", ""},
      {"pdm", "-p --project"},
      {"hatch", "-e --env"},
      {"pnpm", "-C --dir --filter -F"},
      {"yarn", "--cwd"},
      {"pipx", "--spec --python --index-url --pip-args"},
  };
  return ByName(kRunners, name);
}

bool Takes(std::string_view valued, std::string_view option) {
  for (size_t at = valued.find(option); at != std::string_view::npos;
       at = valued.find(option, at + 1)) {
    const size_t end = at + option.size();
    if ((at == 0 || valued[at - 1] == ' ') && (end == valued.size() || valued[end] == ' '))
      return true;
  }
  return false;
}

// Skips a wrapper's options from w[i]: an option listed as taking a value skips the word
// after it too. Returns the index of the first word that is not an option.
size_t SkipOptions(const std::vector<std::string_view>& w, size_t i, std::string_view valued) {
  while (i < w.size() && w[i].starts_with("-") && w[i] != "-") {
    if (w[i] == "--") return i + 1;
    i += Takes(valued, w[i]) ? 2 : 1;
  }
  return i;
}

bool IsAssignment(std::string_view w) {
  const size_t eq = w.find('=');
  return eq != std::string_view::npos && eq > 0 && w.find('/') > eq && w.front() != '-';
}

std::string_view Basename(std::string_view w) {
  const size_t slash = w.rfind('/');
  return slash == std::string_view::npos ? w : w.substr(slash + 1);
}

std::vector<std::string_view> Words(std::string_view cmd) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < cmd.size()) {
    while (i < cmd.size() && (cmd[i] == ' ' || cmd[i] == '\t')) ++i;
    size_t j = i;
    while (j < cmd.size() && cmd[j] != ' ' && cmd[j] != '\t') ++j;
    if (j > i) {
      std::string_view w = cmd.substr(i, j - i);
      if (w.size() >= 2 && (w.front() == '"' || w.front() == '\'') && w.back() == w.front())
        w = w.substr(1, w.size() - 2);
      out.push_back(w);
    }
    i = j;
  }
  return out;
}

// The program a simple command runs and the word after it.
std::pair<std::string_view, std::string_view> Program(std::string_view simple) {
  std::vector<std::string_view> w = Words(simple);
  size_t i = 0;
  while (i < w.size()) {
    const std::string_view name = Basename(w[i]);
    if (IsAssignment(w[i])) {
      ++i;
    } else if (const Wrapper* wrapper = FindWrapper(name)) {
      i = SkipOptions(w, i + 1, wrapper->valued);  // `env -u HOME`, `nice -n 5`, `npx --yes`
      // `env` takes assignments before the program; `timeout` its duration.
      while (i < w.size() && wrapper->name == "env" && IsAssignment(w[i])) ++i;
      i = std::min(w.size(), i + wrapper->operands);
    } else if (const Runner* runner = FindRunner(name);
               runner && i + 1 < w.size() &&
               (w[i + 1] == "run" || w[i + 1] == "exec" || w[i + 1] == "dlx")) {
      i = SkipOptions(w, i + 2, runner->valued);  // `uv run --with ruff ruff`
    } else if ((name.starts_with("python") || name == "py") && i + 2 < w.size() &&
               w[i + 1] == "-m") {
      i += 2;  // `python -m pytest`
    } else {
      break;
    }
  }
  if (i >= w.size()) return {};
  return {Basename(w[i]), i + 1 < w.size() ? w[i + 1] : std::string_view()};
}

// The simple commands of a shell script: split at && || ; | & newlines and parentheses.
std::vector<std::string_view> SimpleCommands(std::string_view script) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= script.size(); ++i) {
    const char c = i < script.size() ? script[i] : '\n';
    if (c == '&' || c == '|' || c == ';' || c == '\n' || c == '(' || c == ')' || c == '`') {
      if (i > start) out.push_back(script.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> FromCommands(const Job& job) {
  std::vector<std::string> out;
  for (const std::string& command : job.commands) {
    for (std::string_view simple : SimpleCommands(command)) {
      auto [program, sub] = Program(simple);
      std::string parser = ParserForProgram(program, sub);
      if (!parser.empty() && std::find(out.begin(), out.end(), parser) == out.end())
        out.push_back(std::move(parser));
    }
  }
  return out;
}

}  // namespace

std::string ParserForProgram(std::string_view program, std::string_view subcommand) {
  static constexpr std::pair<std::string_view, std::string_view> kPrograms[] = {
      {"gcc", "gcc"},       {"g++", "gcc"},        {"cc", "gcc"},        {"c++", "gcc"},
      {"clang", "clang"},   {"clang++", "clang"},  {"cargo", "cargo"},   {"rustc", "cargo"},
      {"tsc", "tsc"},       {"eslint", "eslint"},  {"jest", "jest"},     {"vitest", "vitest"},
      {"ctest", "ctest"},   {"pytest", "pytest"},  {"py.test", "pytest"}, {"mypy", "mypy"},
      {"ruff", "ruff"},     {"flake8", "flake8"},  {"black", "black"}};
  if (program == "go") return subcommand == "vet" ? "go-vet" : "go";
  // A versioned compiler (gcc-12, clang++-14) is the compiler.
  const size_t dash = program.rfind('-');
  if (dash != std::string_view::npos && dash + 1 < program.size() &&
      std::all_of(program.begin() + dash + 1, program.end(),
                  [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    program = program.substr(0, dash);
  }
  for (const auto& [name, parser] : kPrograms) {
    if (program == name) return std::string(parser);
  }
  return "";
}

std::vector<std::string> DiagnosticsFor(const Job& job) {
  if (!job.diagnostics.empty()) return job.diagnostics;
  std::vector<std::string> chosen = FromCommands(job);
  if (!chosen.empty()) return chosen;
  if (*DefaultDiagnostics(job.language)) return {DefaultDiagnostics(job.language)};
  return {};
}

std::string DiagnosticsSource(const Job& job) {
  if (!job.diagnostics.empty()) return "explicit";
  if (!FromCommands(job).empty()) return "commands";
  if (*DefaultDiagnostics(job.language)) return "language";
  return "";
}

}  // namespace gauntlet::spec
