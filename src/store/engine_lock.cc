#include "store/engine_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/hash.h"
#include "store/store.h"

namespace gauntlet::store {
namespace {

std::string LockPath(const std::string& state_dir) { return state_dir + "/engine.lock"; }

// "run 12, pid 4242 on host build1", from the holder's file (it may not have written it
// yet: it takes the lock first).
std::string DescribeHolder(int fd) {
  std::string text;
  char buf[512];
  ssize_t n;
  off_t at = 0;
  while ((n = pread(fd, buf, sizeof buf, at)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "another gauntlet engine";
  std::string who;
  if (j.value("run", int64_t{0}) > 0)
    who = "run " + std::to_string(j.value("run", int64_t{0})) + ", ";
  return who + "pid " + std::to_string(j.value("pid", int64_t{0})) + " on host " +
         j.value("host", std::string("?"));
}

}  // namespace

Result<EngineLock> EngineLock::Acquire(const std::string& state_dir, bool wait, bool* busy,
                                       const std::function<void(const std::string&)>& waiting) {
  *busy = false;
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Error{"cannot create " + state_dir + ": " + ec.message()};
  const std::string path = LockPath(state_dir);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Errno("open " + path, errno);
  EngineLock lock(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Error::Errno("lock " + path, errno);
    const std::string holder = DescribeHolder(fd);
    if (!wait) {
      *busy = true;
      return Error{"another engine is running jobs with " + state_dir + " (" + holder +
                   "): wait for it with --wait, or stop it with `gauntlet cancel`"};
    }
    if (waiting) waiting(holder);
    int r;
    while ((r = flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (r != 0) return Error::Errno("lock " + path, errno);
  }
  lock.WriteHolder(0);
  return lock;
}

Result<EngineLock> EngineLock::AcquireFile(const std::string& state_dir, const std::string& file,
                                           const std::string& what, bool* busy) {
  *busy = false;
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Error{"cannot create " + state_dir + ": " + ec.message()};
  const std::string path = state_dir + "/" + file;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Errno("open " + path, errno);
  EngineLock lock(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Error::Errno("lock " + path, errno);
    *busy = true;
    return Error::Busy(what + " is already running with " + state_dir + " (" +
                       DescribeHolder(fd) + ")");
  }
  lock.WriteHolder(0);
  return lock;
}

EngineLock::EngineLock(EngineLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

EngineLock& EngineLock::operator=(EngineLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

EngineLock::~EngineLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

void EngineLock::SetRun(RunId run) { WriteHolder(run); }

void EngineLock::WriteHolder(RunId run) {
  if (fd_ < 0) return;
  // Best effort: the lock itself is what excludes; the text only names the holder.
  const std::string text =
      nlohmann::json{{"pid", static_cast<int64_t>(getpid())}, {"host", HostName()}, {"run", run}}
          .dump() +
      "\n";
  if (ftruncate(fd_, 0) == 0) {
    ssize_t n = pwrite(fd_, text.data(), text.size(), 0);
    (void)n;
  }
}

std::string StateDirKey(const std::string& state_dir) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(state_dir, ec), ec);
  Hasher h;
  h.Field(ec ? state_dir : canonical.string());
  return h.Final().Hex().substr(0, 16);
}

}  // namespace gauntlet::store
