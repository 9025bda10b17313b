#include "cache/hasher.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "cache/confined.h"

namespace gauntlet::cache {
namespace {

constexpr size_t kBufferSize = 256 * 1024;
constexpr unsigned kMaxThreads = 8;
// Below this much work one thread does it all: starting and joining a thread costs more
// than hashing a few small files, and far more (tens of ms) on a loaded machine, where
// a new thread waits for a time slice. Measured with bench/cache-rerun.
constexpr uint64_t kParallelBytes = 16 << 20;
constexpr size_t kParallelFiles = 512;

Result<Digest> HashFd(int fd, const std::string& rel, char* buf, uint64_t* size,
                      bool advise = true) {
  if (advise) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Hasher h;
  uint64_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buf, kBufferSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Errno("read " + rel, errno);
    }
    if (n == 0) break;
    h.Update(buf, static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  if (size != nullptr) *size = total;
  return h.Final();
}

// The directory of the last file a worker opened: walked paths come sorted, so most files
// share their predecessor's directory, and re-opening every component per file (what
// OpenFileBeneath does) would cost three opens and closes more per file.
struct DirCache {
  std::string path;
  Fd fd;
};

Result<Fd> OpenInput(int root_fd, const std::string& rel, DirCache& cache) {
  const auto [parent, base] = SplitParent(rel);
  if (!cache.fd.valid() || cache.path != parent) {
    auto dir = OpenDirBeneath(root_fd, parent, /*create=*/false);
    if (!dir.ok()) return dir.error();
    cache.fd = std::move(*dir);
    cache.path = parent;
  }
  const std::string name(base);
  const int fd = ::openat(cache.fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return OpenFileBeneath(root_fd, rel, O_RDONLY, false);  // for its error message
  return Fd(fd);
}

// Sequential read-ahead advice pays off for large files only; it is a system call each.
constexpr uint64_t kAdviseBytes = 1 << 20;

}  // namespace

Result<Digest> HashFile(int root_fd, const std::string& rel, uint64_t* size) {
  auto fd = OpenFileBeneath(root_fd, rel, O_RDONLY, /*create_parents=*/false);
  if (!fd.ok()) return fd.error();
  auto buf = std::make_unique_for_overwrite<char[]>(kBufferSize);
  return HashFd(fd->get(), rel, buf.get(), size);
}

Result<InputDigest> HashEntries(const std::string& root, const std::vector<WalkEntry>& entries,
                                unsigned threads, KnownDigests* known, HashStats* stats) {
  std::vector<const WalkEntry*> todo;
  uint64_t total_bytes = 0;
  for (const auto& e : entries) {
    if (!e.matched) continue;
    todo.push_back(&e);
    total_bytes += e.size;
  }
  std::vector<FileDigest> files(todo.size());
  std::vector<std::optional<Error>> errors(todo.size());
  std::vector<char> read(todo.size(), 0);  // hashed here (not known): to learn
  // Known digests first, on this thread: a fully known set opens nothing at all.
  size_t unknown = 0;
  uint64_t unknown_bytes = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    const WalkEntry& e = *todo[i];
    files[i].path = e.path;
    if (e.kind == WalkEntry::Kind::kSymlink) {
      files[i].content = HashBytes(e.link_target);
      files[i].size = e.link_target.size();
    } else if (auto d = known ? known->Find(e) : std::nullopt) {
      files[i].content = *d;
      files[i].size = e.size;
    } else {
      read[i] = 1;
      ++unknown;
      unknown_bytes += e.size;
    }
  }
  total_bytes = unknown_bytes;
  std::optional<Fd> root_fd;
  if (unknown > 0) {
    auto opened = OpenRoot(root);
    if (!opened.ok()) return opened.error();
    root_fd = std::move(*opened);
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    auto buf = std::make_unique_for_overwrite<char[]>(kBufferSize);
    DirCache dir;
    for (size_t i = next++; i < todo.size(); i = next++) {
      if (!read[i]) continue;
      const WalkEntry& e = *todo[i];
      auto fd = OpenInput(root_fd->get(), e.path, dir);
      if (!fd.ok()) {
        errors[i] = fd.error();
        continue;
      }
      auto d = HashFd(fd->get(), e.path, buf.get(), &files[i].size, e.size >= kAdviseBytes);
      if (d.ok()) {
        files[i].content = *d;
      } else {
        errors[i] = d.error();
      }
    }
  };
  if (threads == 0) {
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    if (total_bytes < kParallelBytes && unknown < kParallelFiles) threads = 1;
  }
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(unknown, 1)));
  if (unknown > 0) {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }
  for (auto& err : errors) {
    if (err) return *err;
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    if (read[i] && known != nullptr) known->Learn(*todo[i], files[i].content);
  }
  if (stats != nullptr) {
    stats->files_read += unknown;
    stats->files_known += todo.size() - unknown;
  }
  InputDigest out;
  Hasher h;
  h.Field("gauntlet-inputs-v1");
  for (size_t i = 0; i < todo.size(); ++i) {
    const WalkEntry& e = *todo[i];
    h.Field(files[i].path);
    // Kind and executable bit matter to a build; other permission bits do not.
    const char kind = e.kind == WalkEntry::Kind::kSymlink ? 'l' : (e.mode & 0111) ? 'x' : 'f';
    h.Update(&kind, 1);
    h.Field(files[i].content);
    out.bytes += files[i].size;
  }
  out.digest = h.Final();
  out.files = std::move(files);
  return out;
}

Result<InputDigest> HashInputs(const std::string& root, const std::vector<std::string>& patterns,
                               unsigned threads) {
  auto globs = GlobSet::Compile(patterns);
  if (!globs.ok()) return globs.error();
  auto entries = Walk(root, *globs);
  if (!entries.ok()) return entries.error();
  return HashEntries(root, *entries, threads);
}

}  // namespace gauntlet::cache
