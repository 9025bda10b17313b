// Content-addressed artifact storage: files a job leaves behind (`artifacts:`
// globs) are copied into <dir>/objects/<first two hex>/<xxh3-128 hex>, once per
// distinct content, and described by a manifest; Restore puts them back at the
// same relative paths in another workspace (a dependent job's, or a
// `--download DIR`).
//
// Copies, never hard links. A hard link shares the inode, so a job that later
// writes a restored file in place (`>>`, a compiler rewriting its output, a
// root-owned process ignoring the read-only bit) would silently change the
// stored object, and with it every other run's artifact. Copies use FICLONE
// (a reflink: shared blocks, copy-on-write, as cheap as a link on btrfs/xfs)
// or copy_file_range, falling back to read/write.
//
// Confinement: glob patterns with ".." or an absolute path, manifest names
// that are not clean relative paths, hashes that are not 32 hex digits, a
// symlink that resolves outside the workspace, and a symlinked parent
// directory on restore are refused with an error naming the path.
//
// "Last use" of an object is its mtime, refreshed by Put and Restore; the
// housekeeping helpers (List, Prune, Clear) back `gauntlet cache ls|prune|clear`.
//
// Thread safety: operations on one store may run from several threads or
// processes: objects appear by rename(2), and Prune only unlinks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::store {

struct ArtifactEntry {
  std::string path;  // relative to the workspace
  std::string hash;  // 32 hex digits: the object's name
  uint64_t size = 0;
  uint32_t mode = 0644;  // permission bits restored
  bool operator==(const ArtifactEntry&) const = default;
};

struct TransferStats {
  uint64_t files = 0;
  uint64_t bytes = 0;         // total size of the files transferred
  uint64_t stored_bytes = 0;  // Put: bytes of objects that were new
  uint64_t reused_files = 0;  // Put: files whose content was already stored
};

struct ObjectInfo {
  std::string hash;
  uint64_t size = 0;
  std::chrono::system_clock::time_point last_use;
};

struct PruneOptions {
  // Remove objects last used before this time.
  std::optional<std::chrono::system_clock::time_point> unused_since;
  // Remove objects whose hash is not in this set (the manifests still kept).
  std::optional<std::set<std::string>> referenced;
};

class ArtifactStore {
 public:
  // `dir` is the store's root, normally <workspace>/.gauntlet/artifacts.
  explicit ArtifactStore(std::string dir) : dir_(std::move(dir)) {}

  // Stores the files `globs` select under `workspace`; the manifest is sorted
  // by path. Matching nothing is not an error (the manifest is empty).
  Result<std::vector<ArtifactEntry>> Put(const std::string& workspace,
                                         const std::vector<std::string>& globs,
                                         TransferStats* stats = nullptr);

  // Writes every entry of `manifest` under `workspace` (created if missing),
  // replacing existing files atomically (never writing through a symlink).
  Result<TransferStats> Restore(const std::vector<ArtifactEntry>& manifest,
                                const std::string& workspace);

  Result<std::vector<ObjectInfo>> List() const;              // sorted by hash
  Result<TransferStats> Prune(const PruneOptions& options);  // files, bytes removed
  Result<TransferStats> Clear();
  Result<uint64_t> TotalBytes() const;

  std::string ObjectPath(const std::string& hash) const;

 private:
  Result<std::string> StoreFile(int src_fd, uint64_t size, const std::string& rel,
                                TransferStats& stats);
  std::string dir_;
};

}  // namespace gauntlet::store
