// `caches:` at the top of a pipeline file: what the server's kept workspace keeps through
// its clean of untracked files (docs/server.md, "Caches"), as gitignore patterns anchored
// at the repository's root: `.venv`, `node_modules/`, `.cache/pip`, `build/*.o`.
#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

// Why `path` cannot be a cache ("" when it can): it must stay inside the workspace and
// read the same to git as it is written.
std::string CacheProblem(const std::string& path) {
  if (path.empty()) return "a cache path is empty";
  if (path[0] == '/') return "a cache path is relative to the repository's root";
  if (path[0] == '!' || path[0] == '#') return "a cache path cannot start with '!' or '#'";
  if (path.find_first_of("\\\n\r") != std::string::npos)
    return "a cache path cannot hold a backslash or a line break";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part == "..") return "a cache path cannot leave the workspace ('..')";
    if (part == ".git") return "a cache path cannot name .git";
    start = end + 1;
  }
  return "";
}

}  // namespace

void ReadCaches(LoadState& s, const YamlNode* n) {
  std::vector<Located> paths;
  if (!s.reader.LocatedList(n, &paths, true)) return;
  for (const Located& p : paths) {
    if (std::string why = CacheProblem(p.value); !why.empty()) {
      s.reader.problems()->Error(p.loc, why, "caches: [.venv, node_modules/, .cache/pip]");
      continue;
    }
    s.pipeline.caches.push_back(p.value);
  }
}

}  // namespace gauntlet::spec
