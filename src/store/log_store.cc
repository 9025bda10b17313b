#include "store/log_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <system_error>

#include "core/fd.h"
#include "store/log_format.h"

namespace gauntlet::store {
namespace {

using logfmt::Kind;

Result<uint64_t> FileSize(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::Errno("stat " + path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Errno("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

// Reads a file through a window of large blocks, so scanning many small frames
// costs few system calls.
class BlockReader {
 public:
  BlockReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  uint64_t size() const { return size_; }

  // The n bytes at `offset`, or nullopt if the file is shorter.
  std::optional<std::string_view> Get(uint64_t offset, size_t n) {
    if (offset + n > size_) return std::nullopt;
    if (offset < base_ || offset + n > base_ + buf_.size()) {
      size_t want = std::min<uint64_t>(std::max<size_t>(n, kBlock), size_ - offset);
      buf_.resize(want);
      size_t got = 0;
      while (got < want) {
        ssize_t r = pread(fd_, buf_.data() + got, want - got, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<size_t>(r);
      }
      buf_.resize(got);
      base_ = offset;
      if (got < n) return std::nullopt;
    }
    return std::string_view(buf_).substr(offset - base_, n);
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  int fd_;
  uint64_t size_;
  uint64_t base_ = 0;
  std::string buf_;
};

enum class Visit { kContinue, kStop };
struct ScanEnd {
  uint64_t offset = 0;       // end of the last valid frame visited
  bool index_found = false;  // stopped at the index frame (offset is its start)
};

// Visits the valid frames from `offset` up to the first invalid one (torn by a
// crash, or still being written) or the index frame.
ScanEnd ScanFrames(
    BlockReader& r, uint64_t offset,
    const std::function<Visit(uint64_t, const logfmt::FrameHeader&, std::string_view)>& visit) {
  ScanEnd end{offset, false};
  while (true) {
    auto header = r.Get(end.offset, logfmt::kFrameHeaderSize);
    if (!header) return end;
    std::string header_bytes(*header);  // the window may move when reading the payload
    logfmt::FrameHeader h = logfmt::DecodeHeader(header_bytes.data());
    auto payload = r.Get(end.offset + logfmt::kFrameHeaderSize, h.length);
    if (!payload || !logfmt::ChecksumMatches(h, header_bytes.data(), *payload)) return end;
    if (h.kind == Kind::kIndex) {
      end.index_found = true;
      return end;
    }
    if (visit(end.offset, h, *payload) == Visit::kStop) return end;
    end.offset += logfmt::kFrameHeaderSize + h.length;
  }
}

Status CheckFileHeader(BlockReader& r, const std::string& path) {
  auto h = r.Get(0, logfmt::kFileHeaderSize);
  if (!h || h->substr(0, logfmt::kFileMagic.size()) != logfmt::kFileMagic) {
    return Error{path + ": not a gauntlet log"};
  }
  if (logfmt::GetU32(h->data() + 8) != logfmt::kVersion) {
    return Error{path + ": log format version " + std::to_string(logfmt::GetU32(h->data() + 8)) +
                 " is not supported"};
  }
  return Ok();
}

using Index = std::map<LogWriter::Key, LogWriter::AttemptLog>;

// The index of a closed log, or nullopt when there is none (live or crashed run).
std::optional<Index> ReadIndex(BlockReader& r) {
  if (r.size() < logfmt::kFileHeaderSize + logfmt::kFrameHeaderSize + logfmt::kFooterSize) {
    return std::nullopt;
  }
  auto footer = r.Get(r.size() - logfmt::kFooterSize, logfmt::kFooterSize);
  if (!footer || footer->substr(8) != logfmt::kFooterMagic) return std::nullopt;
  const uint64_t at = logfmt::GetU64(footer->data());
  auto header = r.Get(at, logfmt::kFrameHeaderSize);
  if (!header) return std::nullopt;
  std::string header_bytes(*header);
  logfmt::FrameHeader h = logfmt::DecodeHeader(header_bytes.data());
  if (h.kind != Kind::kIndex ||
      at + logfmt::kFrameHeaderSize + h.length + logfmt::kFooterSize != r.size()) {
    return std::nullopt;
  }
  auto payload = r.Get(at + logfmt::kFrameHeaderSize, h.length);
  if (!payload || !logfmt::ChecksumMatches(h, header_bytes.data(), *payload)) return std::nullopt;
  Index index;
  std::string_view p = *payload;
  constexpr size_t kEntry = 4 + 2 + 2 + 8 + 8 + 4;
  while (p.size() >= kEntry) {
    LogWriter::Key key{logfmt::GetU32(p.data()), logfmt::GetU16(p.data() + 4)};
    LogWriter::AttemptLog& log = index[key];
    log.stored = logfmt::GetU64(p.data() + 8);
    log.dropped = logfmt::GetU64(p.data() + 16);
    const uint32_t n = logfmt::GetU32(p.data() + 24);
    p.remove_prefix(kEntry);
    if (p.size() < n * 16ull) return std::nullopt;
    for (uint32_t i = 0; i < n; ++i) {
      log.extents.push_back({logfmt::GetU64(p.data()), logfmt::GetU64(p.data() + 8)});
      p.remove_prefix(16);
    }
  }
  return index;
}

std::string TruncationMarker(uint64_t cap) {
  std::string size =
      cap % (1 << 20) == 0 ? std::to_string(cap >> 20) + " MiB" : std::to_string(cap) + " bytes";
  return "\n[gauntlet: output truncated at " + size +
         "; the rest of this attempt's output was counted but not stored]\n";
}

}  // namespace

std::string LogPath(const std::string& logs_dir, RunId run) {
  return logs_dir + "/" + std::to_string(run) + ".log";
}

LogWriter::LogWriter(int fd, std::string path, uint64_t size, LogWriterOptions options,
                     std::map<Key, AttemptLog> attempts)
    : fd_(fd),
      path_(std::move(path)),
      size_(size),
      options_(options),
      attempts_(std::move(attempts)) {}

Result<std::unique_ptr<LogWriter>> LogWriter::Open(const std::string& logs_dir, RunId run,
                                                   LogWriterOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(logs_dir, ec);
  if (ec) return Error{"cannot create " + logs_dir + ": " + ec.message()};
  std::string path = LogPath(logs_dir, run);
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Error::Errno("open " + path, errno);
  auto size = FileSize(fd.get(), path);
  if (!size.ok()) return size.error();

  std::map<Key, AttemptLog> attempts;
  uint64_t end = 0;
  if (*size == 0) {
    std::string header = logfmt::FileHeader();
    if (Status s = WriteAll(fd.get(), header, path); !s.ok()) return s.error();
    end = header.size();
  } else {
    // Resuming: rebuild the per-attempt state from the frames, and cut what
    // follows the last valid one (a torn frame, or the previous index).
    BlockReader r(fd.get(), *size);
    if (Status s = CheckFileHeader(r, path); !s.ok()) return s.error();
    ScanEnd scan = ScanFrames(r, logfmt::kFileHeaderSize,
                              [&](uint64_t at, const logfmt::FrameHeader& h, std::string_view) {
                                AttemptLog& log = attempts[{h.job, h.attempt}];
                                if (h.kind == Kind::kTruncated) {
                                  log.marked = true;
                                } else {
                                  log.stored += h.length;
                                }
                                uint64_t frame_end = at + logfmt::kFrameHeaderSize + h.length;
                                if (!log.extents.empty() && log.extents.back().end == at) {
                                  log.extents.back().end = frame_end;
                                } else {
                                  log.extents.push_back({at, frame_end});
                                }
                                return Visit::kContinue;
                              });
    end = scan.offset;
    if (end != *size && ftruncate(fd.get(), static_cast<off_t>(end)) != 0) {
      return Error::Errno("truncate " + path, errno);
    }
  }
  if (lseek(fd.get(), static_cast<off_t>(end), SEEK_SET) < 0) {
    return Error::Errno("seek " + path, errno);
  }
  return std::unique_ptr<LogWriter>(
      new LogWriter(fd.release(), std::move(path), end, options, std::move(attempts)));
}

LogWriter::~LogWriter() {
  if (!closed_) (void)Flush();
  if (fd_ >= 0) close(fd_);
}

void LogWriter::AddFrame(uint32_t job, uint16_t attempt, int kind, std::string_view payload,
                         AttemptLog& log) {
  const uint64_t at = size_ + buffer_.size();
  logfmt::AppendFrame(&buffer_, job, attempt, static_cast<Kind>(kind), payload);
  const uint64_t end = size_ + buffer_.size();
  if (!log.extents.empty() && log.extents.back().end == at) {
    log.extents.back().end = end;
  } else {
    log.extents.push_back({at, end});
  }
}

Status LogWriter::Append(uint32_t job, uint16_t attempt, std::string_view bytes) {
  if (closed_) return Error{path_ + ": append after close"};
  if (!failed_.ok()) return failed_;
  if (bytes.empty()) return Ok();
  AttemptLog& log = attempts_[{job, attempt}];
  const uint64_t room =
      log.stored >= options_.cap_per_attempt ? 0 : options_.cap_per_attempt - log.stored;
  std::string_view kept = bytes.substr(0, std::min<uint64_t>(room, bytes.size()));
  if (!kept.empty()) {
    AddFrame(job, attempt, static_cast<int>(Kind::kOutput), kept, log);
    log.stored += kept.size();
  }
  if (kept.size() < bytes.size()) {
    log.dropped += bytes.size() - kept.size();
    if (!log.marked) {
      AddFrame(job, attempt, static_cast<int>(Kind::kTruncated),
               TruncationMarker(options_.cap_per_attempt), log);
      log.marked = true;
    }
  }
  if (buffer_.size() >= options_.buffer_bytes) return Flush();
  return Ok();
}

Status LogWriter::Flush() {
  if (!failed_.ok()) return failed_;
  if (buffer_.empty()) return Ok();
  Status s = WriteAll(fd_, buffer_, path_);
  if (!s.ok()) {
    // Part of a frame may be in the file: readers stop at a torn frame, so every later
    // frame would be lost to them. Cut back to the last whole frame and take nothing
    // more (the scheduler stops the run); a resumed run appends after it.
    if (ftruncate(fd_, static_cast<off_t>(size_)) == 0)
      lseek(fd_, static_cast<off_t>(size_), SEEK_SET);
    buffer_.clear();
    failed_ = s;
    return s;
  }
  size_ += buffer_.size();
  buffer_.clear();
  return Ok();
}

Status LogWriter::Close() {
  if (closed_) return Ok();
  // After a failed write the index would list frames that never reached the file:
  // readers scan the frames instead.
  if (Status s = Flush(); !s.ok()) return s;
  std::string payload;
  for (const auto& [key, log] : attempts_) {
    logfmt::PutU32(&payload, key.first);
    logfmt::PutU16(&payload, key.second);
    logfmt::PutU16(&payload, 0);
    logfmt::PutU64(&payload, log.stored);
    logfmt::PutU64(&payload, log.dropped);
    logfmt::PutU32(&payload, static_cast<uint32_t>(log.extents.size()));
    for (const Extent& e : log.extents) {
      logfmt::PutU64(&payload, e.begin);
      logfmt::PutU64(&payload, e.end);
    }
  }
  const uint64_t index_at = size_;
  logfmt::AppendFrame(&buffer_, 0xffffffff, 0, Kind::kIndex, payload);
  logfmt::PutU64(&buffer_, index_at);
  buffer_.append(logfmt::kFooterMagic);
  if (Status s = Flush(); !s.ok()) return s;
  if (options_.sync_on_close && fdatasync(fd_) != 0) {
    return Error::Errno("fdatasync " + path_, errno);
  }
  closed_ = true;
  return Ok();
}

uint16_t LogWriter::LastAttempt(uint32_t job) const {
  uint16_t last = 0;
  for (auto it = attempts_.lower_bound({job, 0}); it != attempts_.end() && it->first.first == job;
       ++it)
    last = it->first.second;
  return last;
}

uint64_t LogWriter::Stored(uint32_t job, uint16_t attempt) const {
  auto it = attempts_.find({job, attempt});
  return it == attempts_.end() ? 0 : it->second.stored;
}

uint64_t LogWriter::Dropped(uint32_t job, uint16_t attempt) const {
  auto it = attempts_.find({job, attempt});
  return it == attempts_.end() ? 0 : it->second.dropped;
}

Result<std::string> LogReader::ReadJob(RunId run, uint32_t job,
                                       std::optional<uint16_t> attempt) const {
  const std::string path = LogPath(logs_dir_, run);
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error::Errno("open " + path, errno);
  auto size = FileSize(fd.get(), path);
  if (!size.ok()) return size.error();
  BlockReader r(fd.get(), *size);
  if (Status s = CheckFileHeader(r, path); !s.ok()) return s.error();

  std::string text;
  auto wanted = [&](const logfmt::FrameHeader& h) {
    return h.job == job && (!attempt || h.attempt == *attempt);
  };
  auto collect = [&](uint64_t, const logfmt::FrameHeader& h, std::string_view payload) {
    if (wanted(h)) text.append(payload);
    return Visit::kContinue;
  };
  if (std::optional<Index> index = ReadIndex(r)) {
    // Closed log: visit only this job's extents, in file order.
    std::vector<LogWriter::Extent> extents;
    for (const auto& [key, log] : *index) {
      if (key.first == job && (!attempt || key.second == *attempt)) {
        extents.insert(extents.end(), log.extents.begin(), log.extents.end());
      }
    }
    std::sort(extents.begin(), extents.end(),
              [](const auto& a, const auto& b) { return a.begin < b.begin; });
    for (const auto& e : extents) {
      BlockReader window(fd.get(), e.end);  // never reads past the extent
      ScanFrames(window, e.begin, collect);
    }
    return text;
  }
  ScanFrames(r, logfmt::kFileHeaderSize, collect);
  return text;
}

Result<FollowResult> LogReader::Follow(RunId run, uint64_t offset, size_t max_bytes) const {
  FollowResult out;
  out.next_offset = offset;
  const std::string path = LogPath(logs_dir_, run);
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return out;
    return Error::Errno("open " + path, errno);
  }
  auto size = FileSize(fd.get(), path);
  if (!size.ok()) return size.error();
  BlockReader r(fd.get(), *size);
  if (*size < logfmt::kFileHeaderSize) return out;  // the writer is creating it
  if (Status s = CheckFileHeader(r, path); !s.ok()) return s.error();
  const uint64_t start = std::max<uint64_t>(offset, logfmt::kFileHeaderSize);
  size_t taken = 0;
  ScanEnd end =
      ScanFrames(r, start, [&](uint64_t, const logfmt::FrameHeader& h, std::string_view payload) {
        if (taken > 0 && taken + payload.size() > max_bytes) {
          return Visit::kStop;
        }
        taken += payload.size();
        out.chunks.push_back({h.job, h.attempt, h.kind == Kind::kTruncated, std::string(payload)});
        return Visit::kContinue;
      });
  out.next_offset = end.offset;
  out.finished = end.index_found;
  return out;
}

}  // namespace gauntlet::store
