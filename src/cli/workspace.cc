#include "cli/workspace.h"

#include <chrono>
#include <filesystem>

#include "store/state_dir.h"

namespace gauntlet::cli {

namespace fs = std::filesystem;

Workspace WorkspaceForFile(const std::string& pipeline_file, const std::string& state_dir_arg) {
  Workspace ws;
  std::error_code ec;
  fs::path abs = fs::absolute(pipeline_file, ec);
  ws.root = abs.parent_path().string();
  ws.state_dir = state_dir_arg.empty() ? ws.root + "/.gauntlet"
                                       : fs::absolute(state_dir_arg, ec).string();
  return ws;
}

Result<Workspace> FindWorkspace(const std::string& state_dir_arg) {
  std::error_code ec;
  if (!state_dir_arg.empty()) {
    Workspace ws;
    ws.state_dir = fs::absolute(state_dir_arg, ec).string();
    ws.root = fs::path(ws.state_dir).parent_path().string();
    if (!fs::exists(ws.db_path(), ec))
      return Error{"no run history in " + ws.state_dir + " (no state.db)"};
    return ws;
  }
  fs::path dir = fs::current_path(ec);
  for (; !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".gauntlet" / "state.db", ec)) {
      Workspace ws;
      ws.root = dir.string();
      ws.state_dir = (dir / ".gauntlet").string();
      return ws;
    }
    if (dir == dir.parent_path()) break;
  }
  return Error{"no run history here: no .gauntlet/state.db in this directory or its parents "
               "(run `gauntlet run` first, or pass --state-dir)"};
}

Result<std::unique_ptr<store::SqliteStore>> OpenStore(const Workspace& ws) {
  if (Status made = store::EnsureStateDir(ws.state_dir); !made.ok()) return made.error();
  auto s = store::SqliteStore::Open(ws.db_path());
  if (!s.ok()) return s.error();
  return std::move(s.value());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace gauntlet::cli
