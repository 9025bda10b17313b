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

NginxRouter::NginxRouter(NginxRouterOptions options, CommandRunner run)
    : options_(std::move(options)), run_(std::move(run)) {}

Status NginxRouter::Run(const std::vector<std::string>& args, const std::string& what) {
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
  return Ok();
}

Status NginxRouter::SetWeights(const std::vector<SlotWeight>& weights) {
  if (auto s = ValidateWeights(weights); !s) return s;
  for (char c : options_.upstream_name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return Error{"upstream name '" + options_.upstream_name + "' has unsafe characters"};
    }
  }
  if (options_.upstream_name.empty()) return Error{"no nginx upstream name configured"};
  std::string previous;
  bool had_previous = ReadFile(options_.upstream_file, &previous);
  if (auto s =
          WriteAtomically(options_.upstream_file, RenderUpstream(options_.upstream_name, weights));
      !s) {
    return s;
  }
  if (auto s = Run({"-t"}, "nginx -t"); !s) {
    // Put the last good routing back so a later reload (ours or anyone's) cannot pick up
    // a file nginx rejects.
    Status restored =
        had_previous ? WriteAtomically(options_.upstream_file, previous) : Status(Ok());
    if (!had_previous) unlink(options_.upstream_file.c_str());
    if (!restored)
      return Error{s.error().message +
                   "; restoring the previous file also failed: " + restored.error().message};
    return s;
  }
  return Run({"-s", "reload"}, "nginx -s reload");
}

}  // namespace gauntlet::deploy
