#include "cache/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "cache/confined.h"

namespace gauntlet::cache {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

bool IsSkippedDir(const char* name) {
  return std::string_view(name) == ".git" || std::string_view(name) == ".gauntlet";
}

// Whether a relative directory path goes through a directory the walk skips.
bool InSkippedDir(const std::string& rel) {
  size_t start = 0;
  while (start <= rel.size()) {
    const size_t end = std::min(rel.find('/', start), rel.size());
    if (IsSkippedDir(rel.substr(start, end - start).c_str())) return true;
    start = end + 1;
  }
  return false;
}

std::string Join(const std::string& dir, const char* name) {
  return dir.empty() ? std::string(name) : dir + "/" + name;
}

// Walks the directory open at `fd` (whose relative path is `rel`); takes the fd.
Status WalkDir(int fd, const std::string& rel, const GlobSet& globs, std::vector<WalkEntry>& out,
               WalkStats& stats) {
  ++stats.dirs_opened;
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
  if (!dir) {
    const int err = errno;
    ::close(fd);
    return Error::Errno("read directory " + (rel.empty() ? std::string(".") : rel), err);
  }
  const int dfd = ::dirfd(dir.get());
  std::vector<std::string> subdirs;
  while (true) {
    errno = 0;
    const dirent* de = ::readdir(dir.get());
    if (de == nullptr) {
      if (errno != 0) return Error::Errno("read directory " + rel, errno);
      break;
    }
    const char* name = de->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    const std::string path = Join(rel, name);
    unsigned char type = de->d_type;
    struct stat st {};
    bool have_stat = false;
    if (type == DT_UNKNOWN) {
      if (::fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return Error::Errno("stat " + path, errno);
      }
      have_stat = true;
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      if (!IsSkippedDir(name) && globs.CouldMatchUnder(path)) subdirs.push_back(name);
      continue;
    }
    // A `.git` file (a worktree's or submodule's pointer to its git dir) is
    // git's, not the project's: it differs between checkouts of the same tree.
    if ((type != DT_REG && type != DT_LNK) || std::string_view(name) == ".git") continue;
    const bool matched = globs.Matches(path);
    if (type == DT_REG && !matched) continue;
    if (type == DT_LNK && !matched && !globs.CouldMatchUnder(path)) continue;
    if (!have_stat && ::fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Error::Errno("stat " + path, errno);
    }
    WalkEntry e;
    e.path = path;
    e.size = static_cast<uint64_t>(st.st_size);
    e.mode = st.st_mode & 07777;
    e.matched = matched;
    e.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    e.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
    e.ino = static_cast<uint64_t>(st.st_ino);
    e.dev = static_cast<uint64_t>(st.st_dev);
    if (type == DT_LNK) {
      e.kind = WalkEntry::Kind::kSymlink;
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      const ssize_t n = ::readlinkat(dfd, name, target.data(), target.size());
      if (n < 0) return Error::Errno("readlink " + path, errno);
      target.resize(static_cast<size_t>(n));
      e.link_target = std::move(target);
    }
    out.push_back(std::move(e));
  }
  for (const auto& name : subdirs) {
    const int sub = ::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) return Error::Errno("open directory " + Join(rel, name.c_str()), errno);
    if (auto s = WalkDir(sub, Join(rel, name.c_str()), globs, out, stats); !s.ok()) return s;
  }
  return Ok();
}

// Opens directory `rel` beneath `root_fd` one component at a time, never through a
// symlink. Returns -1 with errno set: ENOENT when it is not there.
int OpenWalkRoot(int root_fd, const std::string& rel) {
  int fd = ::dup(root_fd);
  size_t start = 0;
  while (fd >= 0 && start < rel.size()) {
    const size_t end = std::min(rel.find('/', start), rel.size());
    const std::string name = rel.substr(start, end - start);
    const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    ::close(fd);
    errno = err;
    fd = next;
    start = end + 1;
  }
  return fd;
}

}  // namespace

Result<std::vector<WalkEntry>> Walk(const std::string& root, const GlobSet& globs,
                                    WalkStats* stats_out) {
  WalkStats stats;
  std::vector<WalkEntry> out;
  if (globs.empty()) return out;
  auto fd = OpenRoot(root);
  if (!fd.ok()) return fd.error();
  // Start from the patterns' literal directories ("in" for "in/**"): what else lies in
  // the workspace (build outputs, node_modules) is never listed. A symlink or a file on
  // the way to one: walk from the root, which reports such entries as it always did.
  const std::vector<std::string> roots = globs.Roots();
  bool from_root = !roots.empty() && roots.front().empty();
  for (size_t i = 0; i < roots.size() && !from_root; ++i) {
    const std::string& r = roots[i];
    if (InSkippedDir(r)) continue;  // as the walk from the root would never go there
    const int sub = OpenWalkRoot(fd->get(), r);
    if (sub < 0 && errno == ENOENT) continue;  // nothing there, nothing selected
    if (sub < 0) {
      out.clear();
      stats = {};
      from_root = true;
      break;
    }
    if (auto s = WalkDir(sub, r, globs, out, stats); !s.ok()) return s.error();
  }
  if (from_root) {
    const int raw = ::dup(fd->get());
    if (raw < 0) return Error::Errno("dup", errno);
    if (auto s = WalkDir(raw, "", globs, out, stats); !s.ok()) return s.error();
  }
  if (stats_out != nullptr) *stats_out = stats;
  std::sort(out.begin(), out.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  return out;
}

}  // namespace gauntlet::cache
