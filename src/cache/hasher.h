// Input digests: the paths, kinds, executable bits and contents of the files a
// job's `inputs:` globs select, hashed with xxh3-128 in parallel and combined
// in sorted-path order into one digest.
//
// Files are streamed through a fixed 256 KiB buffer per thread (never loaded
// whole). A symlink is hashed as its target string, not followed: the digest
// changes when the link is re-pointed, and a link cannot pull in files from
// outside the workspace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/walk.h"
#include "core/hash.h"
#include "core/result.h"

namespace gauntlet::cache {

struct FileDigest {
  std::string path;
  Digest content;  // xxh3-128 of the bytes (of the link target for a symlink)
  uint64_t size = 0;
};

struct InputDigest {
  Digest digest;  // over every FileDigest in order, with kinds and exec bits
  uint64_t bytes = 0;
  std::vector<FileDigest> files;  // sorted by path
};

// Hashes one regular file beneath `root_fd`, streaming.
Result<Digest> HashFile(int root_fd, const std::string& rel, uint64_t* size = nullptr);

// Digests of files already known without reading them (input_cache.h: the ones hashed
// earlier in the run, the stat cache). Find is called from the hashing threads at once;
// Learn only from the caller's thread, after they are done.
class KnownDigests {
 public:
  virtual ~KnownDigests() = default;
  virtual std::optional<Digest> Find(const WalkEntry& file) const = 0;
  virtual void Learn(const WalkEntry& file, const Digest& digest) = 0;
};

struct HashStats {
  uint64_t files_read = 0;   // opened and hashed
  uint64_t files_known = 0;  // given by KnownDigests
};

// Hashes the matched entries of a walk (unmatched symlinks are skipped) with
// `threads` workers (0: one per core, at most 8, and just the caller's thread below
// 16 MiB and 512 files, where starting threads costs more than it saves). Files `known`
// has a digest for are not read; the others are, and `known` learns them.
Result<InputDigest> HashEntries(const std::string& root, const std::vector<WalkEntry>& entries,
                                unsigned threads = 0, KnownDigests* known = nullptr,
                                HashStats* stats = nullptr);

// Walk + hash: the digest of what `patterns` select under `root`. Zero files
// is a valid (and stable) digest.
Result<InputDigest> HashInputs(const std::string& root, const std::vector<std::string>& patterns,
                               unsigned threads = 0);

}  // namespace gauntlet::cache
