// The loader's check of command templates against the rule of spec/shell_template.h,
// so that a value from outside the pipeline file placed where it cannot go is an error
// at its line and column, not a job failing when the run gets there.
#include <string>

#include "spec/expr.h"
#include "spec/load_internal.h"
#include "spec/shell_template.h"

namespace gauntlet::spec {
namespace {

// `as_written`: the file's env keys (their text as written is the file's).
void AddEnvOrigins(const KeyValues& env, const ValueOrigins& as_written, ValueOrigins* origins) {
  for (const auto& [k, v] : env) {
    bool from_file = true;
    Template t;
    if (v.find("${{") != std::string::npos && Template::Parse(v, &t, nullptr))
      from_file = as_written.FromFile(t);
    origins->SetEnv(k, from_file);
  }
}

}  // namespace

void CheckScripts(LoadState& s) {
  const Pipeline& p = s.pipeline;
  int job = -1;
  ValueOrigins origins;
  std::string script, shell;
  size_t vars = 0, commands = 0;
  for (const auto& script_node : s.scripts) {
    const int index = script_node.first;
    const YamlNode* node = script_node.second;  // named: clang 14 cannot capture a binding
    if (index != job) {  // a job's commands are consecutive
      job = index;
      const Job& j = p.jobs[static_cast<size_t>(index)];
      origins = ValueOrigins(/*unset_env_from_file=*/false);  // may be gauntlet's own
      ValueOrigins as_written(/*unset_env_from_file=*/false);
      for (const KeyValues* layer : {&p.env, &j.env})
        for (const auto& [k, v] : *layer) as_written.SetEnv(k, true);
      AddEnvOrigins(p.env, as_written, &origins);
      AddEnvOrigins(j.env, as_written, &origins);
      shell = !j.shell.empty() ? j.shell : !p.defaults.shell.empty() ? p.defaults.shell : "bash";
      script.clear();
      vars = commands = 0;
    }
    if (commands++ > 0) script += '\n';  // the scheduler joins them so
    Template t;
    if (node->value.find("${{") == std::string::npos ||
        !Template::Parse(node->value, &t, nullptr)) {
      script += node->value;  // no expression (or a bad one, reported already)
      continue;
    }
    // Values from the file are left out: the place of later expressions is then what it
    // is for values without quotes or newlines, as nearly all are.
    CheckScript(t, origins, shell, &script, &vars, [&](size_t i, const std::string& message) {
      const size_t at = t.expressions()[i].second;
      s.reader.problems()->Error(s.reader.LocAt(node, at >= 3 ? at - 3 : at), message,
                                 "docs/expressions.md: values from outside the pipeline file");
    });
  }
}

}  // namespace gauntlet::spec
