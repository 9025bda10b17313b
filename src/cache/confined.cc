#include "cache/confined.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/glob.h"

namespace gauntlet::cache {

Result<Fd> OpenRoot(const std::string& root) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Errno("open workspace " + root, errno);
  return Fd(fd);
}

std::pair<std::string_view, std::string_view> SplitParent(std::string_view rel) {
  const size_t slash = rel.rfind('/');
  if (slash == std::string_view::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

namespace {

Error SymlinkRefused(std::string_view full, std::string_view upto) {
  return Error{"refusing path '" + std::string(full) + "': '" + std::string(upto) +
               "' is a symlink, which could lead outside the workspace"};
}

}  // namespace

Result<Fd> OpenDirBeneath(int root_fd, std::string_view rel, bool create) {
  Fd cur(::dup(root_fd));
  if (!cur.valid()) return Error::Errno("dup", errno);
  if (rel.empty()) return cur;
  if (!IsCleanRelativePath(rel)) {
    return Error{"refusing path '" + std::string(rel) +
                 "': not a clean relative path inside the workspace"};
  }
  size_t b = 0;
  while (b <= rel.size()) {
    size_t e = rel.find('/', b);
    if (e == std::string_view::npos) e = rel.size();
    const std::string name(rel.substr(b, e - b));
    int fd = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        return Error::Errno("mkdir " + std::string(rel.substr(0, e)), errno);
      }
      fd = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      const int err = errno;
      struct stat st;
      if ((err == ELOOP || err == ENOTDIR) &&
          ::fstatat(cur.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        return SymlinkRefused(rel, rel.substr(0, e));
      }
      return Error::Errno("open directory " + std::string(rel.substr(0, e)), err);
    }
    cur = Fd(fd);
    b = e + 1;
  }
  return cur;
}

Result<Fd> OpenFileBeneath(int root_fd, std::string_view rel, int flags, bool create_parents,
                           int mode) {
  if (!IsCleanRelativePath(rel)) {
    return Error{"refusing path '" + std::string(rel) +
                 "': not a clean relative path inside the workspace"};
  }
  const auto [parent, base] = SplitParent(rel);
  auto dir = OpenDirBeneath(root_fd, parent, create_parents);
  if (!dir.ok()) return dir.error();
  const std::string name(base);
  const int fd = ::openat(dir->get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    const int err = errno;
    struct stat st;
    if (err == ELOOP && ::fstatat(dir->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
      return SymlinkRefused(rel, rel);
    }
    return Error::Errno("open " + std::string(rel), err);
  }
  return Fd(fd);
}

}  // namespace gauntlet::cache
