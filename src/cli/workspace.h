// Where a workspace keeps its state: `.gauntlet/` beside the pipeline file, holding
// `state.db` (the run store) and `logs/` (one log file per run). Commands that read
// history find it from the working directory upward, like git finds `.git`.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace gauntlet::cli {

struct Workspace {
  std::string root;       // the directory holding .gauntlet/
  std::string state_dir;  // root + "/.gauntlet" (or --state-dir)
  std::string db_path() const { return state_dir + "/state.db"; }
  std::string logs_dir() const { return state_dir + "/logs"; }
  // The content-addressed artifact store (store/artifact_store.h).
  std::string artifacts_dir() const { return state_dir + "/artifacts"; }
};

// The workspace of a pipeline file: its directory (state_dir_arg overrides the state dir).
Workspace WorkspaceForFile(const std::string& pipeline_file, const std::string& state_dir_arg);

// For history commands: `state_dir_arg` if given, else the nearest `.gauntlet/state.db`
// from the working directory upward. Not found: an error saying to run `gauntlet run`.
Result<Workspace> FindWorkspace(const std::string& state_dir_arg);

// The workspace's store: the SQLite database in its state directory.
std::string StoreUrl(const Workspace& ws);
Result<std::unique_ptr<store::Store>> OpenStore(const Workspace& ws);

}  // namespace gauntlet::cli
