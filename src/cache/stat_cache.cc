#include "cache/stat_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace gauntlet::cache {
namespace {

constexpr std::string_view kHeader = "gauntlet-stat-cache-v1";

// Reads the next space-separated number of `line` from `pos`.
template <typename T>
bool NextNumber(std::string_view line, size_t& pos, T* out) {
  const auto [end, ec] = std::from_chars(line.data() + pos, line.data() + line.size(), *out);
  if (ec != std::errc() || end == line.data() + line.size() || *end != ' ') return false;
  pos = static_cast<size_t>(end - line.data()) + 1;
  return true;
}

bool ParseLine(std::string_view line, std::string* path, StatEntry* e) {
  if (line.size() < 34 || line[32] != ' ') return false;
  auto digest = Digest::FromHex(line.substr(0, 32));
  if (!digest.ok()) return false;
  e->digest = *digest;
  size_t pos = 33;
  if (!NextNumber(line, pos, &e->size) || !NextNumber(line, pos, &e->mtime_ns) ||
      !NextNumber(line, pos, &e->ctime_ns) || !NextNumber(line, pos, &e->ino) ||
      !NextNumber(line, pos, &e->dev) || !NextNumber(line, pos, &e->mode) ||
      !NextNumber(line, pos, &e->recorded_ns) || pos >= line.size()) {
    return false;
  }
  *path = std::string(line.substr(pos));
  return true;
}

}  // namespace

bool Trusted(const StatEntry& e, const WalkEntry& now) {
  if (now.kind != WalkEntry::Kind::kFile) return false;
  const bool same = e.size == now.size && e.mtime_ns == now.mtime_ns &&
                    e.ctime_ns == now.ctime_ns && e.ino == now.ino && e.dev == now.dev &&
                    e.mode == now.mode;
  // Racy: changed in the tick it was read in, the timestamps could stay the same.
  const bool aged = e.mtime_ns < e.recorded_ns - kRacyNs && e.ctime_ns < e.recorded_ns - kRacyNs;
  return same && aged;
}

StatCache StatCache::Load(std::string path) {
  StatCache c;
  c.path_ = std::move(path);
  std::ifstream in(c.path_, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line != kHeader) return c;
  std::string rel;
  StatEntry e;
  while (std::getline(in, line)) {
    if (!ParseLine(line, &rel, &e)) {  // damaged: start over rather than trust any of it
      c.entries_.clear();
      c.dirty_ = true;
      return c;
    }
    c.entries_[rel] = e;
  }
  return c;
}

std::optional<Digest> StatCache::Find(const WalkEntry& now) const {
  auto it = entries_.find(now.path);
  if (it == entries_.end() || !Trusted(it->second, now)) return std::nullopt;
  return it->second.digest;
}

void StatCache::Record(const WalkEntry& walked, const Digest& digest, int64_t recorded_ns) {
  if (walked.kind != WalkEntry::Kind::kFile || walked.path.find('\n') != std::string::npos)
    return;
  StatEntry e{walked.size, walked.mtime_ns, walked.ctime_ns, walked.ino,
              walked.dev,  walked.mode,     digest,           recorded_ns};
  auto [it, inserted] = entries_.try_emplace(walked.path, e);
  if (!inserted) {
    const StatEntry& old = it->second;
    // Re-recording the same trusted facts changes nothing worth a write.
    if (Trusted(old, walked) && old.digest == digest) return;
    it->second = e;
  }
  dirty_ = true;
}

Status StatCache::Save() {
  if (!dirty_ || path_.empty()) return Ok();
  std::string text(kHeader);
  text += '\n';
  char buf[160];
  for (const auto& [rel, e] : entries_) {
    const int n = std::snprintf(buf, sizeof buf, "%s %llu %lld %lld %llu %llu %u %lld ",
                                e.digest.Hex().c_str(), static_cast<unsigned long long>(e.size),
                                static_cast<long long>(e.mtime_ns),
                                static_cast<long long>(e.ctime_ns),
                                static_cast<unsigned long long>(e.ino),
                                static_cast<unsigned long long>(e.dev), e.mode,
                                static_cast<long long>(e.recorded_ns));
    text.append(buf, static_cast<size_t>(n));
    text += rel;
    text += '\n';
  }
  const std::string tmp = path_ + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Errno("create " + tmp, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error::Errno("write " + tmp, err);
    }
    done += static_cast<size_t>(w);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Error::Errno("rename " + tmp, err);
  }
  dirty_ = false;
  return Ok();
}

}  // namespace gauntlet::cache
