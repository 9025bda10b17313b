#include "engine/run_title.h"

#include "exec/masker.h"
#include "spec/expr.h"
#include "spec/workflow_context.h"

namespace gauntlet::engine {

Result<std::string> RenderRunTitle(const spec::Pipeline& pipeline, const RunTitleFacts& facts) {
  if (pipeline.run_name.empty()) return std::string();
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(pipeline.run_name, &t, &err)) return Error{"run-name: " + err.message};
  const nlohmann::json event =
      facts.event ? *facts.event : nlohmann::json{{"name", "manual"}};
  spec::EvalContext ctx;
  if (pipeline.workflow) {
    nlohmann::json all = {{"event", event}};
    spec::WorkflowRunFacts wf;
    wf.event = &event;
    wf.branch = facts.branch;
    wf.workflow = pipeline.name.empty() ? pipeline.file : pipeline.name;
    wf.run_id = facts.run_id;
    wf.workspace = facts.workspace;
    spec::AddWorkflowContexts(wf, &all);
    for (const char* name : {"github", "inputs", "vars"}) ctx.contexts[name] = all[name];
  } else {
    ctx.contexts["branch"] = facts.branch;
    ctx.contexts["event"] = event;
  }
  Result<std::string> title = t.Render(ctx);
  if (!title.ok()) return Error{"run-name: " + title.error().message};
  if (!facts.secrets) return title;
  return exec::Masker::ForSecrets(*facts.secrets).MaskString(*title);
}

}  // namespace gauntlet::engine
