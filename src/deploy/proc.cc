#include "deploy/proc.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace gauntlet::deploy {
namespace {

struct Stat {
  char state = 0;
  pid_t ppid = 0;
  uint64_t start_time = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ... starttime(22nd) ...". The command name may
// hold spaces and parentheses, so fields are counted from the last ')'.
bool ReadStat(pid_t pid, Stat* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  // Field 3 is the state; starttime is field 22.
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) out->state = field.empty() ? 0 : field[0];
    if (i == 4) out->ppid = static_cast<pid_t>(std::strtol(field.c_str(), nullptr, 10));
    if (i == 22) {
      out->start_time = std::strtoull(field.c_str(), nullptr, 10);
      return true;
    }
  }
  return false;
}

bool Alive(const Stat& s) { return s.state != 'Z' && s.state != 'X' && s.state != 'x'; }

}  // namespace

std::vector<ProcessId> ChildrenOf(pid_t parent) {
  std::vector<ProcessId> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    Stat s;
    if (ReadStat(static_cast<pid_t>(pid), &s) && s.ppid == parent && Alive(s))
      out.push_back({static_cast<pid_t>(pid), s.start_time});
  }
  closedir(dir);
  return out;
}

bool StillRunning(const ProcessId& p) {
  Stat s;
  return ReadStat(p.pid, &s) && s.start_time == p.start_time && Alive(s);
}

pid_t ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

}  // namespace gauntlet::deploy
