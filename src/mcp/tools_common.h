// What the tool families share: the session's pipeline loaded for one call, its
// workspace and store opened, and engine errors turned into tool errors.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "engine/pipeline.h"
#include "engine/workspace.h"
#include "gate/trust.h"
#include "mcp/gateway.h"
#include "mcp/tool.h"
#include "store/store.h"

namespace gauntlet::mcp {

// The pipeline file as it is now (an agent edits it between calls), with its workspace.
struct Opened {
  std::unique_ptr<engine::LoadedPipeline> loaded;
  engine::Workspace ws;
  std::unique_ptr<store::Store> store;  // only when asked for
};

// Loads the workplace's pipeline (a file with errors is an error naming the first
// problem as file:line:col, unless `allow_invalid`) and opens its store when `with_store`.
Result<Opened> OpenWorkplace(const Workplace& w, bool with_store, bool allow_invalid = false);

// The problems as "file:line:col: severity: message" lines.
std::string ProblemLines(const engine::LoadedPipeline& loaded, size_t max = 10);

// The identity's trust level in the workplace pipeline's history: what `gauntlet trust
// NAME` shows (L0 for a name the history has never seen). The gateway's lookup.
Result<gate::TrustLevel> LevelOf(const Workplace& w, const std::string& identity);

// The gateway's approvals (gateway.h) in the workplace's store (store/approvals.h), keyed
// by the identity, the tool (deploy | promote), the pipeline, the environment, the version
// and the commit: a deploy's `version` and `commit` arguments (else the workplace's HEAD),
// a promote's those of the environment's deployment it would promote.
ApprovalAnswer AskApproval(const Workplace& w, const std::string& identity,
                           const std::string& tool, const std::string& environment,
                           const nlohmann::json& arguments);

// "run_id": an integer >= 1 (the schemas use it).
nlohmann::json RunIdSchema(const std::string& description);

}  // namespace gauntlet::mcp

namespace gauntlet::mcp {

// The history of the workplace without loading the pipeline (run_status, logs, diagnose):
// the state directory beside the file, or found upward like `gauntlet status` does.
struct History {
  engine::Workspace ws;
  std::unique_ptr<store::Store> store;
};
Result<History> OpenHistory(const Workplace& w);

// The run `arguments.run_id` names, or the newest one.
Result<store::RunRecord> ResolveRun(store::Store& s, const nlohmann::json& arguments);

// OpenHistory, ResolveRun and the run's jobs: what run_status, logs and diagnose start with.
struct OpenedRun {
  History history;
  store::RunRecord run;
  std::vector<store::JobRecord> jobs;
};
Result<OpenedRun> OpenRun(const Workplace& w, const nlohmann::json& arguments);

}  // namespace gauntlet::mcp
