// What input files were when they were last hashed, kept across runs so an unchanged file
// is not read again: path → size, mtime and ctime (nanoseconds), inode, device, mode →
// its content digest, as git's index does. A file counts as unchanged only when every one
// of these is equal, and an entry is trusted only when both timestamps were older than
// kRacyNs when it was recorded: a file written in the same clock tick as (or just before)
// it was hashed could change again without its timestamps moving (git's "racy" entries),
// so it is read again until it has aged.
//
// Persistent format (`.gauntlet/inputs.stat`, see docs/caching.md): a text file, first
// line "gauntlet-stat-cache-v1", then one entry per line:
//   <digest: 32 hex> <size> <mtime_ns> <ctime_ns> <ino> <dev> <mode> <recorded_ns> <path>
// (the path last, to the end of the line; paths holding a newline are not kept). A file
// that is missing, of another version or damaged reads as empty: it is only a cache.
// Saved by writing a temporary file and renaming it over the old one, so a reader (another
// run) sees the old or the new snapshot whole. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "cache/walk.h"
#include "core/hash.h"
#include "core/result.h"

namespace gauntlet::cache {

// How old a file's timestamps must be when it is hashed for its entry to be trusted: above
// the timestamp granularity of every file system gauntlet may meet (FAT: 2 s).
inline constexpr int64_t kRacyNs = 2'000'000'000;

struct StatEntry {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t ino = 0;
  uint64_t dev = 0;
  uint32_t mode = 0;
  Digest digest;
  int64_t recorded_ns = 0;  // when the stat was taken (before the file was read)
};

// Whether `e` still describes the file walked as `now`, and may be trusted (pure).
bool Trusted(const StatEntry& e, const WalkEntry& now);

class StatCache {
 public:
  StatCache() = default;
  // Reads `path`; a missing or unreadable file gives an empty cache saved to `path`.
  static StatCache Load(std::string path);

  // The digest of the file walked as `now` when an entry for it is trusted.
  std::optional<Digest> Find(const WalkEntry& now) const;
  // Remembers that the file walked as `walked` (stat taken at `recorded_ns`) has `digest`.
  void Record(const WalkEntry& walked, const Digest& digest, int64_t recorded_ns);

  // Writes the entries when any changed since Load (temporary file + rename).
  Status Save();
  size_t size() const { return entries_.size(); }

 private:
  std::string path_;
  std::unordered_map<std::string, StatEntry> entries_;
  bool dirty_ = false;
};

}  // namespace gauntlet::cache
