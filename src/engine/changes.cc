#include "engine/changes.h"

#include "spec/expr.h"

namespace gauntlet::engine {
namespace {

bool RefersToChanges(const spec::Expr& e) {
  for (const spec::Expr::Reference& r : e.References()) {
    if (!r.path.empty() && r.path.front() == "changes") return true;
  }
  return false;
}

// A string that fails to parse reads nothing: the loader reported it already.
bool TemplateReadsChanges(const std::string& text) {
  if (text.find("${{") == std::string::npos) return false;  // most strings: no parse
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(text, &t, &err)) return false;
  for (const auto& [expr, offset] : t.expressions()) {
    if (RefersToChanges(expr)) return true;
  }
  return false;
}

bool ConditionReadsChanges(const std::string& condition) {
  if (condition.empty()) return false;
  spec::Expr e;
  spec::ExprError err;
  return spec::Expr::ParseCondition(condition, &e, &err) && RefersToChanges(e);
}

bool EnvReadsChanges(const spec::KeyValues& env) {
  for (const auto& [key, value] : env) {
    if (TemplateReadsChanges(value)) return true;
  }
  return false;
}

}  // namespace

bool UsesChanges(const spec::Pipeline& p) {
  if (!p.changes.empty() || EnvReadsChanges(p.env)) return true;
  for (const spec::Job& j : p.jobs) {
    if (!j.changes.empty() || ConditionReadsChanges(j.if_expr) || EnvReadsChanges(j.env))
      return true;
    for (const std::string& c : j.commands) {
      if (TemplateReadsChanges(c)) return true;
    }
  }
  return false;
}

nlohmann::json ChangesContext(const vcs::ChangeSet& c) {
  nlohmann::json j = {{"available", c.available}};
  if (!c.available) return j;
  j["files"] = c.files;
  j["base"] = c.base;
  j["how"] = c.how;
  return j;
}

}  // namespace gauntlet::engine
