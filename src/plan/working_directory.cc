#include "plan/working_directory.h"

#include "spec/expr.h"
#include "spec/matrix.h"
#include "spec/shell_template.h"

namespace gauntlet::plan {

std::string ResolveWorkingDirectory(const spec::Pipeline& pipeline, const spec::Job& job,
                                    const spec::MatrixCombo& combo, spec::Problems* problems) {
  const std::string& text =
      job.working_directory.empty() ? pipeline.defaults.working_directory : job.working_directory;
  if (text.find("${{") == std::string::npos) return text;
  spec::Template t;
  if (!spec::Template::Parse(text, &t, nullptr)) return text;  // the loader reported it
  spec::ValueOrigins origins(/*unset_env_from_file=*/false);   // may be gauntlet's own
  nlohmann::json env = nlohmann::json::object();
  auto add_env = [&](const spec::KeyValues& values) {
    for (const auto& [k, v] : values) {
      env[k] = v;
      origins.SetEnv(k, v.find("${{") == std::string::npos);
    }
  };
  add_env(pipeline.env);
  add_env(job.env);
  if (!origins.FromFile(t)) {
    problems->Error(job.loc,
                    "working_directory of job '" + job.name +
                        "' reads a value known only when the run starts: '" + text + "'",
                    "working_directory may use matrix values and env values written without "
                    "${{ }}; it is decided before any job runs");
    return text;
  }
  spec::EvalContext ctx;
  ctx.contexts["matrix"] = spec::MatrixContext(combo);
  ctx.contexts["env"] = std::move(env);
  Result<std::string> r = t.Render(ctx);
  if (!r.ok()) {
    problems->Error(job.loc, "working_directory of job '" + job.name + "': " + r.error().message);
    return text;
  }
  return std::move(r).value();
}

}  // namespace gauntlet::plan
