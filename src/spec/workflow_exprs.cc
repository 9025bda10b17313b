// The expressions of a GitHub Actions job's steps (spec/workflow_script.h): which read
// the steps context and how, what a step's if: is after an earlier failure or none.
#include <string>
#include <vector>

#include "spec/workflow_script.h"

namespace gauntlet::spec {
namespace {

bool IsStatusCall(std::string_view name) {
  return name == "success" || name == "failure" || name == "always" || name == "cancelled";
}

// `text` with the status calls replaced; `failed`: an earlier step failed.
std::string ReplaceStatusCalls(const Expr& expr, bool failed) {
  const std::string& text = expr.text();
  std::string out;
  size_t done = 0;
  for (const auto& [name, offset] : expr.Calls()) {
    if (!IsStatusCall(name)) continue;
    size_t end = text.find(')', offset);  // these take no arguments
    if (end == std::string::npos) continue;
    bool value =
        name == "always" || (name == "success" && !failed) || (name == "failure" && failed);
    out += text.substr(done, offset - done);
    out += value ? "true" : "false";
    done = end + 1;
  }
  return out + text.substr(done);
}

}  // namespace

nlohmann::json StepPlaceholders(const std::string& script) {
  nlohmann::json steps = nlohmann::json::object();
  Template t;
  ExprError error;
  if (script.find("steps") == std::string::npos || !Template::Parse(script, &t, &error))
    return steps;
  const std::string mark(1, kStepPlaceholderMark);
  for (const auto& [expr, offset] : t.expressions()) {
    for (const Expr::Reference& ref : expr.References()) {
      const std::vector<std::string>& p = ref.path;
      if (p.size() < 3 || p[0] != "steps") continue;
      if (p.size() == 4 && p[2] == "outputs")
        steps[p[1]]["outputs"][p[3]] = mark + p[1] + ".outputs." + p[3] + mark;
      else if (p.size() == 3 && (p[2] == "outcome" || p[2] == "conclusion"))
        steps[p[1]][p[2]] = mark + p[1] + "." + p[2] + mark;
    }
  }
  return steps;
}

void WorkflowStatusVariants(const Expr& expr, std::string* if_ok, std::string* if_failed) {
  if (expr.CallsStatusFunction()) {
    *if_ok = ReplaceStatusCalls(expr, false);
    *if_failed = ReplaceStatusCalls(expr, true);
    return;
  }
  *if_ok = expr.text();
  *if_failed = "";
}

bool ReadsSteps(const Expr& expr) {
  for (const Expr::Reference& ref : expr.References())
    if (!ref.path.empty() && ref.path[0] == "steps") return true;
  return false;
}

bool IsWholeStepReference(const Expr& expr) {
  const std::vector<Expr::Reference> refs = expr.References();
  if (refs.size() != 1) return false;
  const std::vector<std::string>& p = refs[0].path;
  const bool known = p.size() >= 3 && p[0] == "steps" &&
                     ((p.size() == 4 && p[2] == "outputs") ||
                      (p.size() == 3 && (p[2] == "outcome" || p[2] == "conclusion")));
  if (!known) return false;
  std::string joined = p[0];
  for (size_t i = 1; i < p.size(); ++i) joined += "." + p[i];
  std::string text = expr.text();
  text.erase(0, text.find_first_not_of(" \t\n"));
  text.erase(text.find_last_not_of(" \t\n") + 1);
  return text == joined;
}

}  // namespace gauntlet::spec
