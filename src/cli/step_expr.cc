// `gauntlet step-expr`: what a GitHub Actions job's script runs to evaluate an
// expression that reads `steps` when the step is reached (spec/workflow_script.h,
// docs/github-actions.md "How steps run"). Internal: not listed in --help.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/commands.h"
#include "exec/outputs.h"
#include "spec/expr.h"
#include "spec/workflow_script.h"

extern "C" char** environ;

namespace gauntlet::cli {
namespace {

struct StepExprFlags {
  std::string dir;  // the job's $RUNNER_TEMP
  int failed = 0;   // an earlier step failed: success() and failure() say so
  std::string condition;  // the step's if:, "" when decided already
  std::vector<std::string> values;  // NAME EXPRESSION pairs
};

Result<std::string> ReadText(const std::string& path, bool required) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!required) return std::string();
    return Error{"cannot read " + path};
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The steps context from the driver's `id.outcome`, `id.conclusion` and
// `id.outputs.NAME` pairs (spec/workflow_script.cc, __gh_step).
Result<nlohmann::json> StepsContext(const std::string& text) {
  Result<exec::Outputs> pairs = exec::ParseOutputs(text);
  if (!pairs.ok()) return pairs.error();
  nlohmann::json steps = nlohmann::json::object();
  for (const auto& [key, value] : *pairs) {
    const size_t dot = key.find('.');
    if (dot == std::string::npos) continue;
    const std::string id = key.substr(0, dot), rest = key.substr(dot + 1);
    if (id == spec::kDeferredStepId) continue;
    if (rest.rfind("outputs.", 0) == 0)
      steps[id]["outputs"][rest.substr(8)] = value;
    else
      steps[id][rest] = value;
  }
  return steps;
}

Result<nlohmann::json> Contexts(const StepExprFlags& f, const std::vector<spec::Expr>& exprs) {
  Result<std::string> text = ReadText(f.dir + "/contexts.json", true);
  if (!text.ok()) return text.error();
  nlohmann::json c = nlohmann::json::parse(*text, nullptr, false);
  if (!c.is_object()) return Error{"bad contexts in " + f.dir + "/contexts.json"};
  Result<std::string> steps_text = ReadText(f.dir + "/steps", false);
  if (!steps_text.ok()) return steps_text.error();
  Result<nlohmann::json> steps = StepsContext(*steps_text);
  if (!steps.ok()) return steps.error();
  c["steps"] = std::move(*steps);
  // env: the script's environment now, $GITHUB_ENV of the steps before included.
  nlohmann::json env = nlohmann::json::object();
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
  }
  c["env"] = std::move(env);
  // secrets: the job has each secret its file reads in the variable of its name.
  nlohmann::json secrets = nlohmann::json::object();
  for (const spec::Expr& expr : exprs) {
    for (const spec::Expr::Reference& ref : expr.References()) {
      if (ref.path.size() < 2 || ref.path[0] != "secrets") continue;
      if (const char* v = std::getenv(ref.path[1].c_str())) secrets[ref.path[1]] = v;
    }
  }
  c["secrets"] = std::move(secrets);
  return c;
}

// One `NAME<<DELIM` block of GitHub's output format (exec/outputs.h reads it back).
std::string Pair(const std::string& name, const std::string& value) {
  std::string delim = "gauntlet_eof";
  while (value.find(delim) != std::string::npos) delim += "_";
  return name + "<<" + delim + "\n" + value + "\n" + delim + "\n";
}

// Parses the condition (first, when given) and the values; a bad one fails them all.
Result<std::vector<spec::Expr>> ParseAll(const StepExprFlags& f) {
  std::vector<std::string> texts;
  if (!f.condition.empty()) texts.push_back(f.condition);
  for (size_t i = 1; i < f.values.size(); i += 2) texts.push_back(f.values[i]);
  std::vector<spec::Expr> exprs(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    spec::ExprError error;
    if (!spec::Expr::Parse(texts[i], &exprs[i], &error))
      return Error{"${{ " + texts[i] + " }}: " + error.message};
  }
  return exprs;
}

// The step's condition, then (when it holds) each value, in one process: a step costs
// one start however many of its expressions wait for it.
int StepExpr(const StepExprFlags& f, bool json) {
  if (f.values.size() % 2 != 0) return Fail(Error{"expected NAME EXPRESSION pairs"});
  Result<std::vector<spec::Expr>> exprs = ParseAll(f);
  if (!exprs.ok()) return Fail(exprs.error());
  Result<nlohmann::json> contexts = Contexts(f, *exprs);
  if (!contexts.ok()) return Fail(contexts.error());
  using S = spec::EvalContext::Status;
  spec::EvalContext ctx{std::move(*contexts), f.failed ? S::kFailure : S::kSuccess};
  nlohmann::json out = nlohmann::json::object();
  std::string text;
  size_t next = 0;
  int code = kExitOk;
  auto report = [&](const std::string& expression, const Error& error) {
    fmt::print(stderr, "gauntlet: ${{{{ {} }}}}: {}\n", expression, error.message);
  };
  if (!f.condition.empty()) {
    Result<nlohmann::json> value = spec::Evaluate((*exprs)[next++], ctx);
    if (!value.ok()) report(f.condition, value.error());
    const std::string run = !value.ok() ? "e" : spec::Truthy(*value) ? "1" : "0";
    out["run"] = run;
    text += Pair("run", run);
    if (run != "1") next = exprs->size();  // a step that does not run needs no values
  }
  for (size_t i = 0; next < exprs->size(); i += 2, ++next) {
    Result<nlohmann::json> value = spec::Evaluate((*exprs)[next], ctx);
    if (!value.ok()) {
      report(f.values[i + 1], value.error());
      code = kExitFailed;
      continue;
    }
    out[f.values[i]] = spec::ToText(*value);
    text += Pair(f.values[i], spec::ToText(*value));
  }
  if (json)
    fmt::print("{}\n", out.dump());
  else
    fmt::print("{}", text);
  return code;
}

}  // namespace

void RegisterStepExpr(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<StepExprFlags>();
  CLI::App* cmd = app.add_subcommand(
      "step-expr", "Evaluate the expressions of a workflow step (run by workflow jobs)");
  cmd->group("");  // internal: the scripts of workflow jobs call it
  cmd->footer(
      "A GitHub Actions job's script runs it once for a step whose if: or ${{ }} reads\n"
      "steps.* beyond a whole reference, when the step is reached. DIR is the job's\n"
      "$RUNNER_TEMP: contexts.json (the job's contexts) and steps (the steps' results).\n"
      "--if: the step's condition, printed as run (1, 0, or e when it failed); the values\n"
      "are evaluated only when it holds. Prints NAME<<DELIM blocks (GitHub's output\n"
      "format); --json: an object of them. Exit codes: 0 evaluated, 1 a value failed (a\n"
      "message on stderr), 2 usage or a bad expression.\n");
  cmd->add_option("--dir", flags->dir, "The job's runner temp directory")->required();
  cmd->add_option("--failed", flags->failed, "1: an earlier step failed");
  cmd->add_option("--if", flags->condition, "The step's condition, without ${{ }}");
  cmd->add_flag("--json", global.json, "Print JSON");
  cmd->add_option("values", flags->values, "NAME EXPRESSION pairs, expressions without ${{ }}");
  *run = [flags, &global]() -> int { return StepExpr(*flags, global.json); };
}

}  // namespace gauntlet::cli
