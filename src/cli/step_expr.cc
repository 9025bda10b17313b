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
  std::string expression;
  int failed = 0;  // an earlier step failed: success() and failure() say so
  bool condition = false;
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
// `id.outputs.NAME` pairs (spec/workflow_script.cc, __gh_eval).
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

Result<nlohmann::json> Contexts(const StepExprFlags& f, const spec::Expr& expr) {
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
  for (const spec::Expr::Reference& ref : expr.References()) {
    if (ref.path.size() < 2 || ref.path[0] != "secrets") continue;
    if (const char* v = std::getenv(ref.path[1].c_str())) secrets[ref.path[1]] = v;
  }
  c["secrets"] = std::move(secrets);
  return c;
}

int StepExpr(const StepExprFlags& f, bool json) {
  spec::Expr expr;
  spec::ExprError error;
  if (!spec::Expr::Parse(f.expression, &expr, &error))
    return Fail(Error{"${{ " + f.expression + " }}: " + error.message});
  Result<nlohmann::json> contexts = Contexts(f, expr);
  if (!contexts.ok()) return Fail(contexts.error());
  using S = spec::EvalContext::Status;
  spec::EvalContext ctx{std::move(*contexts), f.failed ? S::kFailure : S::kSuccess};
  Result<nlohmann::json> value = spec::Evaluate(expr, ctx);
  if (!value.ok()) {
    fmt::print(stderr, "gauntlet: ${{{{ {} }}}}: {}\n", f.expression, value.error().message);
    return kExitFailed;
  }
  const std::string text = f.condition ? (spec::Truthy(*value) ? "1" : "0") : spec::ToText(*value);
  if (json)
    fmt::print("{}\n", nlohmann::json{{"value", *value}, {"text", text}}.dump());
  else
    fmt::print("{}", text);
  return kExitOk;
}

}  // namespace

void RegisterStepExpr(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<StepExprFlags>();
  CLI::App* cmd = app.add_subcommand(
      "step-expr", "Evaluate an expression of a workflow step (run by workflow jobs)");
  cmd->group("");  // internal: the scripts of workflow jobs call it
  cmd->footer(
      "A GitHub Actions job's script runs it for a step's if: or a ${{ }} that reads\n"
      "steps.* beyond a whole reference, when the step is reached. DIR is the job's\n"
      "$RUNNER_TEMP: contexts.json (the job's contexts) and steps (the steps' results).\n"
      "Prints the value as text (--condition: 1 or 0); --json: {\"value\", \"text\"}.\n"
      "Exit codes: 0 evaluated, 1 the expression failed, 2 usage or a bad expression.\n");
  cmd->add_option("--dir", flags->dir, "The job's runner temp directory")->required();
  cmd->add_option("--failed", flags->failed, "1: an earlier step failed");
  cmd->add_flag("--condition", flags->condition, "Print 1 or 0 (truthiness)");
  cmd->add_flag("--json", global.json, "Print JSON");
  cmd->add_option("expression", flags->expression, "The expression, without ${{ }}")->required();
  *run = [flags, &global]() -> int { return StepExpr(*flags, global.json); };
}

}  // namespace gauntlet::cli
