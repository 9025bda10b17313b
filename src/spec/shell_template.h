// Rendering `${{ }}` where a shell, the environment or the file system takes the text,
// under one rule (docs/expressions.md): a value from outside the pipeline file never
// becomes shell syntax.
//
// From the pipeline file: literals, matrix values, and `env` values written in the
// file whose own expressions are such. From outside: everything else (needs' outputs
// and results, branch, event, secrets, changes, and whatever is computed from them).
// In a script, a value from the file is pasted as text, as its author wrote it; a value
// from outside becomes a reference to an environment variable (GAUNTLET_EXPR_1, ...)
// quoted for its place (spec/shell_context.h), holding the value.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "spec/expr.h"

namespace gauntlet::spec {

// Where an expression's values come from.
class ValueOrigins {
 public:
  // `unset_env_from_file`: what an env key nobody set is. True when every key that may
  // be read was set (it is then unset: it reads as ''); false when gauntlet's own
  // environment, not known yet, may hold it (planning, loading).
  explicit ValueOrigins(bool unset_env_from_file = true)
      : unset_env_from_file_(unset_env_from_file) {}
  // An env key the expressions can read, and whether its value comes from the file
  // alone. Later calls for the same key win (a job's env over the pipeline's).
  void SetEnv(std::string key, bool from_file);
  // Whether every value `expr` reads comes from the pipeline file.
  bool FromFile(const Expr& expr) const;
  bool FromFile(const Template& t) const;

 private:
  bool EnvFromFile(std::string_view key) const;
  bool unset_env_from_file_;
  std::unordered_map<std::string, bool> env_;
};

// Variables a rendered script refers to: (name, value), in order of use.
using ExprVars = std::vector<std::pair<std::string, std::string>>;

// Appends `t` rendered to *script (which holds the script so far: the place of each
// expression depends on everything before it). Values from outside become references
// to new variables added to *vars. Errors: an outside value where no reference can
// stand (arithmetic, a quoted heredoc), or in the script of a shell that is not POSIX
// (`shell` is named in the message); an expression that fails to evaluate.
Status AppendScript(const Template& t, const EvalContext& ctx, const ValueOrigins& origins,
                    std::string_view shell, std::string* script, ExprVars* vars);

// The same placement without values, for the loader: appends `t` to *script with its
// values from the file left out (they are not known before a run) and references for
// the others; calls `refuse(expression index, message)` for each that AppendScript would
// refuse.
void CheckScript(const Template& t, const ValueOrigins& origins, std::string_view shell,
                 std::string* script, size_t* vars,
                 const std::function<void(size_t, const std::string&)>& refuse);

}  // namespace gauntlet::spec
