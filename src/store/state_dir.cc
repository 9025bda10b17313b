#include "store/state_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace gauntlet::store {

Status EnsureStateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"cannot create " + dir + ": " + ec.message()};
  // O_EXCL: one failing system call on every later run, and never a clobbered file.
  const std::string path = dir + "/.gitignore";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Ok();
    return Error::Errno("create " + path, errno);
  }
  const size_t size = std::strlen(kStateDirGitignore);
  const ssize_t n = ::write(fd, kStateDirGitignore, size);
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(size)) return Error::Errno("write " + path, n < 0 ? err : EIO);
  return Ok();
}

}  // namespace gauntlet::store
