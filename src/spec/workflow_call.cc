#include "spec/workflow_call.h"

#include <cstdlib>

#include "spec/expr.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

// A whole `${{ expression }}` keeps the value's type (a boolean stays a boolean, as
// GitHub passes `with: {flag: ${{ inputs.x }}}`); anything else renders as text.
Result<json> CallValue(const std::string& text, const EvalContext& ctx) {
  Template t;
  ExprError error;
  if (!Template::Parse(text, &t, &error)) return Error{"${{ }} in '" + text + "': " + error.message};
  if (t.expressions().size() == 1 && t.literals()[0].empty() && t.literals()[1].empty())
    return Evaluate(t.expressions()[0].first, ctx);
  Result<std::string> rendered = t.Render(ctx);
  if (!rendered.ok()) return rendered.error();
  return json(*rendered);
}

// As on.workflow_call.inputs declares it: `true` written in with: is a boolean input's
// value, "3" a number's.
json CallTyped(json v, const std::string& type) {
  if (!v.is_string()) return type == "string" ? json(ToText(v)) : v;
  const std::string& s = v.get_ref<const std::string&>();
  if (type == "boolean" && (s == "true" || s == "false")) return s == "true";
  if (type == "number" && !s.empty()) {
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0') return d;
  }
  return v;
}

}  // namespace

std::string NeedsKey(const std::string& needed, const std::string& prefix) {
  size_t shared = 0;
  for (size_t at = prefix.find(" / "); at != std::string::npos; at = prefix.find(" / ", at + 3)) {
    if (needed.compare(0, at + 3, prefix, 0, at + 3) != 0) break;
    shared = at + 3;
  }
  return needed.substr(shared);
}

Status ApplyWorkflowCalls(const std::vector<WorkflowCall>& calls, json* contexts) {
  Status status = Ok();
  for (const WorkflowCall& call : calls) {
    const EvalContext ctx{*contexts, EvalContext::Status::kSuccess};
    json inputs = json::object(), secrets = call.inherit_secrets ? (*contexts)["secrets"]
                                                                 : json::object();
    for (const WorkflowCall::Input& in : call.inputs) {
      Result<json> v = CallValue(in.value, ctx);
      if (!v.ok() && status.ok()) status = Error{"input '" + in.name + "': " + v.error().message};
      inputs[in.name] = v.ok() ? CallTyped(std::move(*v), in.type) : json("");
    }
    for (const auto& [name, value] : call.secrets) {
      Result<json> v = CallValue(value, ctx);
      if (!v.ok() && status.ok()) status = Error{"secret '" + name + "': " + v.error().message};
      secrets[name] = v.ok() ? ToText(*v) : "";
    }
    (*contexts)["inputs"] = std::move(inputs);
    (*contexts)["secrets"] = std::move(secrets);
  }
  return status;
}

}  // namespace gauntlet::spec
