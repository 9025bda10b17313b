#include "store/store.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace gauntlet::store {

bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  // EPERM: it exists but belongs to someone else; still alive.
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace gauntlet::store
