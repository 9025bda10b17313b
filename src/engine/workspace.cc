#include "engine/workspace.h"

#include <filesystem>

#include "store/open.h"

namespace gauntlet::engine {

namespace fs = std::filesystem;

std::string Workspace::store_url() const { return store::SqliteUrl(db_path()); }

Workspace WorkspaceForFile(const std::string& pipeline_file, const std::string& state_dir_arg) {
  Workspace ws;
  std::error_code ec;
  fs::path abs = fs::absolute(pipeline_file, ec);
  ws.root = abs.parent_path().string();
  // A GitHub Actions workflow runs at the top of its repository, as on GitHub.
  fs::path dir = abs.parent_path();
  if (dir.filename() == "workflows" && dir.parent_path().filename() == ".github")
    ws.root = dir.parent_path().parent_path().string();
  ws.state_dir =
      state_dir_arg.empty() ? ws.root + "/.gauntlet" : fs::absolute(state_dir_arg, ec).string();
  return ws;
}

Result<Workspace> FindWorkspace(const std::string& state_dir_arg, const std::string& start_dir) {
  std::error_code ec;
  if (!state_dir_arg.empty()) {
    Workspace ws;
    ws.state_dir = fs::absolute(state_dir_arg, ec).string();
    ws.root = fs::path(ws.state_dir).parent_path().string();
    if (!fs::exists(ws.db_path(), ec))
      return Error::NotFound("no run history in " + ws.state_dir + " (no state.db)");
    return ws;
  }
  for (fs::path dir = start_dir; !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".gauntlet" / "state.db", ec)) {
      Workspace ws;
      ws.root = dir.string();
      ws.state_dir = (dir / ".gauntlet").string();
      return ws;
    }
    if (dir == dir.parent_path()) break;
  }
  return Error::NotFound(
      "no run history here: no .gauntlet/state.db in this directory or its parents "
      "(run `gauntlet run` first, or pass --state-dir)");
}

}  // namespace gauntlet::engine
