#include "spec/shell_template.h"

#include <fmt/format.h>

#include "spec/expr_eval.h"
#include "spec/expr_value.h"
#include "spec/shell_context.h"

namespace gauntlet::spec {
namespace {

std::string WrappedExpr(const Expr& e) {
  std::string_view text = e.text();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return fmt::format("${{{{ {} }}}}", text);
}

}  // namespace

void ValueOrigins::SetEnv(std::string key, bool from_file) { env_[std::move(key)] = from_file; }

// As the evaluator looks keys up: exactly, then ignoring ASCII case (any such key may be
// the one read, so all must be from the file).
bool ValueOrigins::EnvFromFile(std::string_view key) const {
  if (auto it = env_.find(std::string(key)); it != env_.end()) return it->second;
  bool any = false;
  for (const auto& [k, v] : env_) {
    if (!EqualsIgnoreCase(k, key)) continue;
    if (!v) return false;
    any = true;
  }
  return any || unset_env_from_file_;
}

bool ValueOrigins::FromFile(const Expr& expr) const {
  for (const Expr::Reference& ref : expr.References()) {
    const std::string& root = ref.path[0];
    if (EqualsIgnoreCase(root, "matrix")) continue;
    // env.KEY by name; env[...] computed or filtered could be any key: outside.
    if (EqualsIgnoreCase(root, "env") && ref.path.size() >= 2 && EnvFromFile(ref.path[1])) continue;
    return false;
  }
  return true;
}

bool ValueOrigins::FromFile(const Template& t) const {
  for (const auto& [expr, offset] : t.expressions()) {
    if (!FromFile(expr)) return false;
  }
  return true;
}

namespace {

std::string ShellNotPosixMessage(const Expr& e, std::string_view shell) {
  return fmt::format(
      "in {}: a value from outside the pipeline file cannot be put into a script of shell "
      "'{}', which is not a POSIX shell: pass it in env: and read it from the environment",
      WrappedExpr(e), shell);
}

std::string ShellRefusedMessage(const Expr& e, ShellPlace place) {
  return fmt::format("in {}: a value from outside the pipeline file cannot be put in {}{}",
                     WrappedExpr(e), PlaceName(place),
                     place == ShellPlace::kArithmetic
                         ? " (the shell would evaluate its text): pass it in env: and check "
                           "it first"
                     : place == ShellPlace::kQuotedHeredoc
                         ? " (nothing is expanded there): use an unquoted delimiter (<<EOF)"
                         : ": pass it in env: instead");
}

// Where the next outside value goes: its reference appended to *script, or a refusal.
Result<std::string> PlaceReference(const Expr& e, bool posix, std::string_view shell,
                                   std::string* script, size_t number) {
  if (!posix) return Error{ShellNotPosixMessage(e, shell)};
  const ShellPlace place = PlaceAtEnd(*script);
  const std::string name = "GAUNTLET_EXPR_" + std::to_string(number);
  const std::string ref = VariableReference(place, name);
  if (ref.empty()) return Error{ShellRefusedMessage(e, place)};
  script->append(ref);
  return name;
}

}  // namespace

Status AppendScript(const Template& t, const EvalContext& ctx, const ValueOrigins& origins,
                    std::string_view shell, std::string* script, ExprVars* vars) {
  const auto& lits = t.literals();
  if (lits.empty()) return Ok();  // never parsed
  const bool posix = IsPosixShell(shell);
  Evaluator eval(ctx);
  script->append(lits[0]);
  for (size_t i = 0; i < t.expressions().size(); ++i) {
    const Expr& e = t.expressions()[i].first;
    if (origins.FromFile(e)) {
      if (Status s = eval.AppendText(e, script); !s.ok())
        return Error{"in " + WrappedExpr(e) + ": " + s.error().message};
    } else {
      std::string value;
      if (Status s = eval.AppendText(e, &value); !s.ok())
        return Error{"in " + WrappedExpr(e) + ": " + s.error().message};
      auto name = PlaceReference(e, posix, shell, script, vars->size() + 1);
      if (!name.ok()) return name.error();
      vars->emplace_back(std::move(*name), std::move(value));
    }
    script->append(lits[i + 1]);
  }
  return Ok();
}

void CheckScript(const Template& t, const ValueOrigins& origins, std::string_view shell,
                 std::string* script, size_t* vars,
                 const std::function<void(size_t, const std::string&)>& refuse) {
  const auto& lits = t.literals();
  if (lits.empty()) return;
  const bool posix = IsPosixShell(shell);
  script->append(lits[0]);
  for (size_t i = 0; i < t.expressions().size(); ++i) {
    const Expr& e = t.expressions()[i].first;
    if (!origins.FromFile(e)) {
      auto name = PlaceReference(e, posix, shell, script, *vars + 1);
      if (name.ok()) {
        ++*vars;
      } else {
        refuse(i, name.error().message);
      }
    }
    script->append(lits[i + 1]);
  }
}

}  // namespace gauntlet::spec
