#include "deploy/nginx_router.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

namespace gauntlet::deploy {
namespace {

// Writes `content` to `path` via a temp file in the same directory and rename(2), so
// nginx (or a crash) never sees a half-written file.
Status WriteAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".gauntlet-tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Errno("open " + tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return Error::Errno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return Error::Errno("sync " + tmp, errno);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Error::Errno("rename " + tmp + " to " + path, err);
  }
  return Ok();
}

// The current content, or nullopt-like "absent" flag.
bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

std::string RenderUpstream(const std::string& name, const std::vector<SlotWeight>& weights) {
  std::string out = "# Written by gauntlet: changed on every deploy step, do not edit.\n";
  out += "upstream " + name + " {\n";
  for (const auto& w : weights) {
    if (w.weight <= 0) {
      out += "    # " + w.slot + " (" + w.address + "): weight 0, no traffic\n";
      continue;
    }
    out +=
        "    server " + w.address + " weight=" + std::to_string(w.weight) + ";  # " + w.slot + "\n";
  }
  out += "}\n";
  return out;
}

std::string PidFileFromConfig(const std::string& dump, const std::string& prefix) {
  std::istringstream lines(dump);
  std::string path = "/run/nginx.pid";
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find_first_not_of(" \t");
    if (at == std::string::npos || line.compare(at, 4, "pid ") != 0) continue;
    size_t end = line.find(';', at);
    if (end == std::string::npos) continue;
    path = line.substr(at + 4, end - at - 4);
    path.erase(0, path.find_first_not_of(" \t"));
    path.erase(path.find_last_not_of(" \t") + 1);
    if (path.size() >= 2 && (path.front() == '"' || path.front() == '\''))
      path = path.substr(1, path.size() - 2);
    break;
  }
  if (path.empty() || path[0] == '/') return path;
  if (prefix.empty()) return "";
  return prefix + (prefix.back() == '/' ? "" : "/") + path;
}

NginxRouter::NginxRouter(NginxRouterOptions options, CommandRunner run)
    : options_(std::move(options)), run_(std::move(run)) {}

Result<std::string> NginxRouter::Run(const std::vector<std::string>& args,
                                     const std::string& what) {
  CommandRequest req;
  req.argv = options_.nginx;
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.timeout = options_.timeout;
  auto r = run_(req);
  if (!r) return r.error();
  if (r->timed_out) return Error{what + " timed out"};
  if (r->exit_code != 0) {
    return Error{what + " failed (exit " + std::to_string(r->exit_code) + "): " + r->output};
  }
  return r->output;
}

pid_t NginxRouter::Master(const std::string& config_dump) {
  std::string prefix;
  for (size_t i = 0; i < options_.nginx.size(); ++i) {
    const std::string& a = options_.nginx[i];
    if (a == "-p" && i + 1 < options_.nginx.size()) prefix = options_.nginx[i + 1];
    if (a.size() > 2 && a.compare(0, 2, "-p") == 0) prefix = a.substr(2);
  }
  std::string file =
      options_.pid_file.empty() ? PidFileFromConfig(config_dump, prefix) : options_.pid_file;
  pid_t pid = file.empty() ? 0 : ReadPidFile(file);
  if (pid == 0)
    note_ = file.empty() ? "nginx's pid file is relative and no -p prefix is given: set "
                           "router.pid_file to wait for its old workers"
                         : "no nginx master in " + file + ": its old workers were not waited for";
  return pid;
}

Result<bool> NginxRouter::SetWeights(const std::vector<SlotWeight>& weights) {
  if (auto s = ValidateWeights(weights); !s) return s.error();
  for (char c : options_.upstream_name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return Error{"upstream name '" + options_.upstream_name + "' has unsafe characters"};
    }
  }
  if (options_.upstream_name.empty()) return Error{"no nginx upstream name configured"};
  const std::string wanted = RenderUpstream(options_.upstream_name, weights);
  std::string previous;
  bool had_previous = ReadFile(options_.upstream_file, &previous);
  if (had_previous && previous == wanted && !reload_failed_) return false;
  if (auto s = WriteAtomically(options_.upstream_file, wanted); !s) return s.error();
  auto tested = Run({"-T"}, "nginx -T");
  if (!tested) {
    // Put the last good routing back so a later reload (ours or anyone's) cannot pick up
    // a file nginx rejects.
    Status restored =
        had_previous ? WriteAtomically(options_.upstream_file, previous) : Status(Ok());
    if (!had_previous) unlink(options_.upstream_file.c_str());
    if (!restored)
      return Error{tested.error().message +
                   "; restoring the previous file also failed: " + restored.error().message};
    return tested.error();
  }
  note_.clear();
  pid_t master = Master(*tested);
  std::vector<ProcessId> workers = master ? ChildrenOf(master) : std::vector<ProcessId>{};
  auto reloaded = Run({"-s", "reload"}, "nginx -s reload");
  reload_failed_ = !reloaded.ok();
  if (!reloaded) return reloaded.error();  // the new, valid file stays for nginx's next start
  old_workers_ = std::move(workers);
  return true;
}

Result<std::string> NginxRouter::AwaitOldConnections(Clock& clock, Duration timeout) {
  std::string note = std::move(note_);
  note_.clear();
  if (old_workers_.empty()) return note;
  std::string pids;
  for (const ProcessId& p : old_workers_) pids += (pids.empty() ? "" : " ") + std::to_string(p.pid);
  const TimePoint start = clock.Now();
  while (true) {
    std::erase_if(old_workers_, [](const ProcessId& p) { return !StillRunning(p); });
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - start);
    if (old_workers_.empty())
      return "nginx's old workers (pid " + pids + ") exited after " +
             std::to_string(waited.count()) + " ms";
    if (waited >= timeout) {
      old_workers_.clear();  // waited once; not again at the next stop
      return Error{"nginx's old workers (pid " + pids + ") still run after " +
                   std::to_string(waited.count()) + " ms"};
    }
    clock.SleepFor(std::min<Duration>(std::chrono::milliseconds(10), timeout - waited));
  }
}

}  // namespace gauntlet::deploy
