#include "gate/repo_files.h"

#include <sys/stat.h>

#include "vcs/repo.h"

namespace gauntlet::gate {

std::vector<std::string> PathsWithSuffix(const std::vector<std::string>& sorted,
                                         std::string_view suffix) {
  std::vector<std::string> out;
  if (suffix.empty()) return out;
  for (const std::string& p : sorted) {
    if (!p.ends_with(suffix)) continue;
    if (p.size() == suffix.size() || p[p.size() - suffix.size() - 1] == '/') out.push_back(p);
  }
  return out;
}

bool GitRepoFiles::Exists(const std::string& rel) const {
  struct stat st;
  return ::stat((root_ + "/" + rel).c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

std::vector<std::string> GitRepoFiles::WithSuffix(std::string_view suffix) const {
  if (!tracked_) {
    auto files = vcs::TrackedFiles(root_);
    tracked_ = files.ok() ? std::move(files).value() : std::vector<std::string>();
  }
  std::vector<std::string> found = PathsWithSuffix(*tracked_, suffix);
  if (!found.empty() || suffix.empty()) return found;
  if (!untracked_) {
    auto files = vcs::UntrackedFiles(root_);
    untracked_ = files.ok() ? std::move(files).value() : std::vector<std::string>();
  }
  return PathsWithSuffix(*untracked_, suffix);
}

}  // namespace gauntlet::gate
