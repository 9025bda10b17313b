#include "store/artifact_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>

#include "cache/confined.h"
#include "cache/walk.h"
#include "core/glob.h"
#include "core/hash.h"

namespace gauntlet::store {
namespace {

using cache::Fd;
constexpr size_t kBufferSize = 256 * 1024;

// The digest of the whole file, whatever the descriptor's offset (which it leaves).
Result<Digest> HashFd(int fd, const std::string& what) {
  auto buf = std::make_unique<char[]>(kBufferSize);
  Hasher h;
  off_t at = 0;
  while (true) {
    const ssize_t n = ::pread(fd, buf.get(), kBufferSize, at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Errno("read " + what, errno);
    }
    if (n == 0) break;
    h.Update(buf.get(), static_cast<size_t>(n));
    at += n;
  }
  return h.Final();
}

// Copies all of `src` (from offset 0) into the empty `dst`: reflink, then
// copy_file_range, then read/write.
Status CopyFd(int src, int dst, const std::string& what) {
  if (::ioctl(dst, FICLONE, src) == 0) return Ok();
  if (::lseek(src, 0, SEEK_SET) < 0) return Error::Errno("seek " + what, errno);
  while (true) {
    const ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr, 1 << 30, 0);
    if (n == 0) return Ok();
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) break;
    return Error::Errno("copy " + what, errno);
  }
  // Fallback: plain read/write from wherever copy_file_range stopped (it
  // advanced both offsets together).
  auto buf = std::make_unique<char[]>(kBufferSize);
  while (true) {
    const ssize_t n = ::read(src, buf.get(), kBufferSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Errno("read " + what, errno);
    }
    if (n == 0) return Ok();
    for (ssize_t off = 0; off < n;) {
      const ssize_t w = ::write(dst, buf.get() + off, static_cast<size_t>(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Error::Errno("write " + what, errno);
      }
      off += w;
    }
  }
}

// A unique temporary name in a directory (pid + thread-safe counter).
std::string TempName() {
  static std::atomic<uint64_t> counter{0};
  return ".gauntlet-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

Error Escape(const std::string& path, const std::string& why) {
  return Error{"artifact '" + path + "' refused: " + why};
}

Status VerifyCopy(int fd, const ArtifactEntry& e, const std::string& object) {
  auto digest = HashFd(fd, e.path);
  if (!digest.ok()) return digest.error();
  if (digest->Hex() == e.hash) return Ok();
  return Error{"artifact '" + e.path + "' refused: object " + object +
               " does not hold what was stored (its content hashes to " + digest->Hex() +
               "): the artifact store was damaged or tampered with; remove the object and "
               "run the job that stored it again"};
}

}  // namespace

std::string ArtifactStore::ObjectPath(const std::string& hash) const {
  return dir_ + "/objects/" + hash.substr(0, 2) + "/" + hash;
}

Result<std::string> ArtifactStore::StoreFile(int src_fd, uint64_t size, const std::string& rel,
                                             TransferStats& stats) {
  auto digest = HashFd(src_fd, rel);
  if (!digest.ok()) return digest.error();
  const std::string hash = digest->Hex();
  const std::string object = ObjectPath(hash);
  ++stats.files;
  stats.bytes += size;
  if (::utimensat(AT_FDCWD, object.c_str(), nullptr, 0) == 0) {  // exists: refresh last use
    ++stats.reused_files;
    return hash;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_ + "/objects/" + hash.substr(0, 2), ec);
  if (ec) return Error{"create " + dir_ + "/objects: " + ec.message()};
  const std::string tmp = dir_ + "/objects/" + hash.substr(0, 2) + "/" + TempName();
  Fd dst(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!dst.valid()) return Error::Errno("create " + tmp, errno);
  if (auto s = CopyFd(src_fd, dst.get(), rel); !s.ok()) {
    ::unlink(tmp.c_str());
    return s.error();
  }
  if (::rename(tmp.c_str(), object.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Error::Errno("store " + object, err);
  }
  stats.stored_bytes += size;
  return hash;
}

Result<std::vector<ArtifactEntry>> ArtifactStore::Put(const std::string& workspace,
                                                      const std::vector<std::string>& globs,
                                                      TransferStats* stats_out) {
  auto set = GlobSet::Compile(globs);
  if (!set.ok()) return Error{"artifacts: " + set.error().message};
  auto entries = cache::Walk(workspace, *set);
  if (!entries.ok()) return entries.error();
  auto root = cache::OpenRoot(workspace);
  if (!root.ok()) return root.error();
  char* real_root_c = ::realpath(workspace.c_str(), nullptr);
  if (real_root_c == nullptr) return Error::Errno("resolve " + workspace, errno);
  const std::string real_root(real_root_c);
  ::free(real_root_c);

  TransferStats stats;
  std::vector<ArtifactEntry> manifest;
  for (const auto& e : *entries) {
    std::string rel = e.path;  // what to open beneath the root
    if (e.kind == cache::WalkEntry::Kind::kSymlink) {
      char* resolved_c = ::realpath((workspace + "/" + e.path).c_str(), nullptr);
      if (resolved_c == nullptr) {
        if (!e.matched) continue;
        return Escape(e.path, "it is a dangling symlink (to '" + e.link_target + "')");
      }
      const std::string resolved(resolved_c);
      ::free(resolved_c);
      if (resolved != real_root && !resolved.starts_with(real_root + "/")) {
        return Escape(e.path,
                      "it is a symlink to '" + e.link_target + "', which is outside the workspace");
      }
      struct stat st;
      if (!e.matched || ::stat(resolved.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        continue;  // a symlinked directory inside the workspace is not followed
      }
      rel = resolved.substr(real_root.size() + 1);
    }
    auto src = cache::OpenFileBeneath(root->get(), rel, O_RDONLY, false);
    if (!src.ok()) return Escape(e.path, src.error().message);
    struct stat st;
    if (::fstat(src->get(), &st) != 0) return Error::Errno("stat " + e.path, errno);
    auto hash = StoreFile(src->get(), static_cast<uint64_t>(st.st_size), e.path, stats);
    if (!hash.ok()) return hash.error();
    manifest.push_back(ArtifactEntry{e.path, *hash, static_cast<uint64_t>(st.st_size),
                                     static_cast<uint32_t>(st.st_mode & 0777)});
  }
  if (stats_out != nullptr) *stats_out = stats;
  return manifest;
}

Result<TransferStats> ArtifactStore::Restore(const std::vector<ArtifactEntry>& manifest,
                                             const std::string& workspace) {
  // Validate everything first: a refused manifest writes nothing.
  for (const auto& e : manifest) {
    if (!IsCleanRelativePath(e.path)) {
      return Escape(e.path, "the name is not a clean relative path inside the workspace");
    }
    if (!IsDigestHex(e.hash)) return Escape(e.path, "'" + e.hash + "' is not an object hash");
  }
  std::error_code ec;
  std::filesystem::create_directories(workspace, ec);
  if (ec) return Error{"create " + workspace + ": " + ec.message()};
  auto root = cache::OpenRoot(workspace);
  if (!root.ok()) return root.error();
  TransferStats stats;
  for (const auto& e : manifest) {
    const std::string object = ObjectPath(e.hash);
    Fd src(::open(object.c_str(), O_RDONLY | O_CLOEXEC));
    if (!src.valid()) {
      return Error::Errno("artifact '" + e.path + "': object " + e.hash + " is missing", errno);
    }
    struct stat st;
    if (::fstat(src.get(), &st) != 0) return Error::Errno("stat " + object, errno);
    if (static_cast<uint64_t>(st.st_size) != e.size) {
      return Error{"artifact '" + e.path + "': object " + e.hash + " has " +
                   std::to_string(st.st_size) + " bytes, the manifest says " +
                   std::to_string(e.size) + " (damaged store?)"};
    }
    const auto [parent, base] = cache::SplitParent(e.path);
    auto dir = cache::OpenDirBeneath(root->get(), parent, /*create=*/true);
    if (!dir.ok()) return Escape(e.path, dir.error().message);
    const std::string tmp = TempName();
    Fd dst(::openat(dir->get(), tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0600));
    if (!dst.valid()) return Error::Errno("create a file for " + e.path, errno);
    auto copied = CopyFd(src.get(), dst.get(), e.path);
    // The copy is what the job will read: its content must be what was stored. An
    // object changed in place (a damaged disk, a hand edit, a tampering) is refused.
    if (copied.ok()) copied = VerifyCopy(dst.get(), e, object);
    if (copied.ok() && ::fchmod(dst.get(), e.mode & 0777) != 0) {
      copied = Error::Errno("chmod " + e.path, errno);
    }
    // Closed before it gets its name: a job executing that name meanwhile (jobs run while
    // their siblings' artifacts are restored) must never find it open for writing, which
    // execve refuses with ETXTBSY ("Text file busy").
    dst = Fd();
    // rename(2) replaces the name itself: an existing symlink there is
    // replaced, not written through.
    if (copied.ok() &&
        ::renameat(dir->get(), tmp.c_str(), dir->get(), std::string(base).c_str()) != 0) {
      copied = Error::Errno("restore " + e.path, errno);
    }
    if (!copied.ok()) {
      ::unlinkat(dir->get(), tmp.c_str(), 0);
      return copied.error();
    }
    ::futimens(src.get(), nullptr);  // last use
    ++stats.files;
    stats.bytes += e.size;
  }
  return stats;
}

Result<std::vector<ObjectInfo>> ArtifactStore::List() const {
  std::vector<ObjectInfo> out;
  const std::filesystem::path objects(dir_ + "/objects");
  std::error_code ec;
  if (!std::filesystem::exists(objects, ec)) return out;
  for (const auto& shard : std::filesystem::directory_iterator(objects, ec)) {
    if (!shard.is_directory()) continue;
    for (const auto& f : std::filesystem::directory_iterator(shard.path(), ec)) {
      const std::string name = f.path().filename().string();
      if (!IsDigestHex(name)) continue;  // temporaries of a Put in progress
      struct stat st;
      if (::stat(f.path().c_str(), &st) != 0) continue;  // pruned meanwhile
      ObjectInfo info;
      info.hash = name;
      info.size = static_cast<uint64_t>(st.st_size);
      info.last_use = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::seconds(st.st_mtim.tv_sec) +
              std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
      out.push_back(std::move(info));
    }
    if (ec) break;
  }
  if (ec) return Error{"list " + objects.string() + ": " + ec.message()};
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.hash < b.hash; });
  return out;
}

Result<TransferStats> ArtifactStore::Prune(const PruneOptions& options) {
  auto objects = List();
  if (!objects.ok()) return objects.error();
  TransferStats removed;
  for (const auto& o : *objects) {
    const bool old = options.unused_since && o.last_use < *options.unused_since;
    const bool unreferenced = options.referenced && !options.referenced->contains(o.hash);
    if (!old && !unreferenced) continue;
    if (::unlink(ObjectPath(o.hash).c_str()) != 0) {
      if (errno == ENOENT) continue;
      return Error::Errno("remove " + ObjectPath(o.hash), errno);
    }
    ++removed.files;
    removed.bytes += o.size;
  }
  return removed;
}

Result<TransferStats> ArtifactStore::Clear() {
  PruneOptions all;
  all.referenced = std::set<std::string>{};
  return Prune(all);
}

Result<uint64_t> ArtifactStore::TotalBytes() const {
  auto objects = List();
  if (!objects.ok()) return objects.error();
  uint64_t total = 0;
  for (const auto& o : *objects) total += o.size;
  return total;
}

}  // namespace gauntlet::store
