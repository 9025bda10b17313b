// Opening files strictly beneath a workspace directory: every path component
// is opened with O_NOFOLLOW relative to its parent's descriptor, so neither a
// ".." nor a symlink (in the last component or in a parent directory) can lead
// outside. Used wherever a stored or user-given name becomes a file operation.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/fd.h"
#include "core/result.h"

namespace gauntlet::cache {

using gauntlet::Fd;

// Opens directory `root` (which may itself be reached through symlinks: it is
// the trust anchor).
Result<Fd> OpenRoot(const std::string& root);

// Opens directory `rel` beneath `root_fd` ("" is the root itself). With
// `create`, missing directories are made (0755). Refuses unclean paths (see
// IsCleanRelativePath) and any component that is a symlink.
Result<Fd> OpenDirBeneath(int root_fd, std::string_view rel, bool create);

// Opens file `rel` beneath `root_fd` with open(2) `flags` (O_NOFOLLOW is
// added); `create` makes the parent directories.
Result<Fd> OpenFileBeneath(int root_fd, std::string_view rel, int flags, bool create_parents,
                           int mode = 0644);

// Splits "a/b/c" into ("a/b", "c"); ("", "c") for a bare name.
std::pair<std::string_view, std::string_view> SplitParent(std::string_view rel);

}  // namespace gauntlet::cache
