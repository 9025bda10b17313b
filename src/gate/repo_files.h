// Which files a repository holds, for placing the paths tools print (repo_paths.h): a
// path is only reported where a file is. An interface so the pure analysis can be tested
// with a fixed set; GitRepoFiles is the real one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::gate {

class RepoFiles {
 public:
  virtual ~RepoFiles() = default;
  // Whether `rel` (relative to the repository root, normalised) names a file there.
  virtual bool Exists(const std::string& rel) const = 0;
  // The files whose path is `suffix` or ends in "/" + `suffix`, sorted: those git tracks,
  // or when none does, the new files it would add (a change not committed yet).
  virtual std::vector<std::string> WithSuffix(std::string_view suffix) const = 0;
};

// The files of the repository at `root` as they are now: existence from the file system,
// suffixes among the files git tracks (read from the index on first use, not a walk of
// the work tree: build outputs and node_modules are never listed), then, on a miss, among
// the untracked files git does not ignore (one status walk, on the first miss). Outside a
// git repository no suffix matches.
class GitRepoFiles : public RepoFiles {
 public:
  explicit GitRepoFiles(std::string root) : root_(std::move(root)) {}
  bool Exists(const std::string& rel) const override;
  std::vector<std::string> WithSuffix(std::string_view suffix) const override;

 private:
  std::string root_;
  mutable std::optional<std::vector<std::string>> tracked_, untracked_;
};

// The paths of `sorted` that are `suffix` or end in "/" + `suffix`.
std::vector<std::string> PathsWithSuffix(const std::vector<std::string>& sorted,
                                         std::string_view suffix);

}  // namespace gauntlet::gate
