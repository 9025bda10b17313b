// Expanding globs against a workspace directory into a sorted list of files.
//
// The walk opens each directory relative to its parent (openat + fdopendir),
// never follows a symlink, skips `.git` (directory or file) and `.gauntlet` at any
// depth, and prunes a directory as soon as no pattern could match below it
// (GlobSet::CouldMatchUnder). Only regular files and symlinks are reported;
// sockets, fifos and devices are ignored.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/glob.h"
#include "core/result.h"

namespace gauntlet::cache {

struct WalkEntry {
  enum class Kind { kFile, kSymlink };
  std::string path;  // relative to the root, '/'-separated
  Kind kind = Kind::kFile;
  uint64_t size = 0;  // of the file (a symlink: of its target string)
  mode_t mode = 0;    // permission bits
  // A symlink is reported when its own path matches (`matched`) and also when
  // it is a directory-like name under which the globs could match
  // (`matched` false): callers that must not silently miss files through a
  // symlinked directory (artifacts) then refuse it; hashing ignores those.
  bool matched = true;
  std::string link_target;  // for kSymlink
  // From the same lstat, for the stat cache (stat_cache.h): what identifies this version
  // of the file without reading it.
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t ino = 0;
  uint64_t dev = 0;
};

struct WalkStats {
  uint64_t dirs_opened = 0;  // the root included: shows pruning at work
};

// Walks `root` and returns the entries selected by `globs`, sorted by path.
Result<std::vector<WalkEntry>> Walk(const std::string& root, const GlobSet& globs,
                                    WalkStats* stats = nullptr);

}  // namespace gauntlet::cache
