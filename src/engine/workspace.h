// Where a workspace keeps its state: `.gauntlet/` beside the pipeline file, holding
// `state.db` (the run store), `logs/` (one log file per run) and `artifacts/`. Commands
// that read history find it from a directory upward, like git finds `.git`.
#pragma once

#include <string>

#include "core/result.h"

namespace gauntlet::engine {

struct Workspace {
  std::string root;       // absolute: jobs and deploy commands run here
  std::string state_dir;  // root + "/.gauntlet" (or --state-dir)
  std::string db_path() const { return state_dir + "/state.db"; }
  std::string logs_dir() const { return state_dir + "/logs"; }
  // The content-addressed artifact store (store/artifact_store.h).
  std::string artifacts_dir() const { return state_dir + "/artifacts"; }
  // The store's URL (store/open.h): the SQLite database in the state directory.
  std::string store_url() const;
};

// The workspace of a pipeline file: its directory (state_dir_arg overrides the state dir).
// Relative paths are taken from the process's working directory.
Workspace WorkspaceForFile(const std::string& pipeline_file, const std::string& state_dir_arg);

// For history commands: `state_dir_arg` if given, else the nearest `.gauntlet/state.db`
// from `start_dir` upward. None: ErrorKind::kNotFound, saying to run `gauntlet run`.
Result<Workspace> FindWorkspace(const std::string& state_dir_arg, const std::string& start_dir);

}  // namespace gauntlet::engine
