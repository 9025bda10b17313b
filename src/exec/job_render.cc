#include "exec/job_render.h"

#include "spec/expr.h"
#include "spec/shell_template.h"

namespace gauntlet::exec {
namespace {

bool HasExpression(const std::string& s) { return s.find("${{") != std::string::npos; }

bool NeedsRendering(const plan::PlannedJob& job, const plan::Plan& plan) {
  if (plan.pipeline) {
    for (const auto& [k, v] : plan.pipeline->env) {
      if (HasExpression(v)) return true;
    }
  }
  for (const auto& [k, v] : job.spec->env) {
    if (HasExpression(v)) return true;
  }
  for (const std::string& c : job.spec->commands) {
    if (HasExpression(c)) return true;
  }
  return false;
}

Result<spec::Template> ParseTemplate(const std::string& text) {
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(text, &t, &err)) return Error{"in '" + text + "': " + err.message};
  return t;
}

}  // namespace

Result<RenderedJob> RenderJob(const plan::PlannedJob& job, const plan::Plan& plan,
                              const std::function<nlohmann::json()>& contexts) {
  RenderedJob out;
  const spec::KeyValues* layers[2] = {plan.pipeline ? &plan.pipeline->env : nullptr,
                                      &job.spec->env};
  if (!NeedsRendering(job, plan)) {  // most jobs: copy as written
    for (const spec::KeyValues* layer : layers) {
      if (layer) out.env.insert(out.env.end(), layer->begin(), layer->end());
    }
    for (size_t i = 0; i < job.spec->commands.size(); ++i) {
      if (i) out.script += '\n';
      out.script += job.spec->commands[i];
    }
    return out;
  }

  spec::EvalContext ctx{contexts(), {}};
  // Env values see `env` as written in the file (so env.X inside one is file text); the
  // script sees the values rendered, each known to come from the file or not. What is
  // not the file's is gauntlet's own environment: from outside.
  spec::ValueOrigins as_written, origins;
  nlohmann::json rendered_env = ctx.contexts["env"];
  for (const auto& [k, v] : rendered_env.items()) {
    as_written.SetEnv(k, false);
    origins.SetEnv(k, false);
  }
  for (const spec::KeyValues* layer : layers) {
    if (!layer) continue;
    for (const auto& [k, v] : *layer) as_written.SetEnv(k, true);  // file text as written
  }
  for (const spec::KeyValues* layer : layers) {
    if (!layer) continue;
    for (const auto& [k, v] : *layer) {
      std::string value = v;
      bool from_file = true;
      if (HasExpression(v)) {
        auto t = ParseTemplate(v);
        if (!t.ok()) return t.error();
        auto r = t->Render(ctx);
        if (!r.ok()) return Error{"in '" + v + "': " + r.error().message};
        value = std::move(*r);
        from_file = as_written.FromFile(*t);
      }
      origins.SetEnv(k, from_file);
      rendered_env[k] = value;
      out.env.emplace_back(k, std::move(value));
    }
  }
  ctx.contexts["env"] = std::move(rendered_env);

  const std::string shell = job.shell.empty() ? "bash" : job.shell;
  spec::ExprVars vars;
  for (size_t i = 0; i < job.spec->commands.size(); ++i) {
    if (i) out.script += '\n';
    const std::string& command = job.spec->commands[i];
    if (!HasExpression(command)) {
      out.script += command;
      continue;
    }
    auto t = ParseTemplate(command);
    if (!t.ok()) return t.error();
    if (Status s = spec::AppendScript(*t, ctx, origins, shell, &out.script, &vars); !s.ok())
      return s.error();
  }
  out.env.insert(out.env.end(), std::make_move_iterator(vars.begin()),
                 std::make_move_iterator(vars.end()));
  return out;
}

}  // namespace gauntlet::exec
