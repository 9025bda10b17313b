#include "release/status_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace gauntlet::release {
namespace {

// RFC 3339 UTC ("2026-12-07T10:00:00Z"); "" for 0 (not yet).
std::string Iso(int64_t ms) { return FormatUtc(ms, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace

std::string FormatUtc(int64_t unix_ms, const char* format) {
  if (unix_ms == 0) return "";
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  return strftime(buf, sizeof buf, format, &tm) > 0 ? buf : "";
}

StepState* ReleaseState::Step(const std::string& name) {
  for (StepState& s : steps)
    if (s.name == name) return &s;
  return nullptr;
}

nlohmann::json ToJson(const ReleaseState& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepState& st : s.steps) {
    steps.push_back({{"name", st.name},
                     {"result", st.result},
                     {"detail", st.detail},
                     {"started_at", Iso(st.started_ms)},
                     {"duration_ms", st.finished_ms > 0 ? st.finished_ms - st.started_ms : 0}});
  }
  nlohmann::json deployment = nullptr;
  if (!s.deployment.environment.empty()) {
    deployment = {{"id", s.deployment.id},
                  {"environment", s.deployment.environment},
                  {"outcome", s.deployment.outcome},
                  {"reason", s.deployment.reason}};
  }
  return {{"release_id", s.release_id},
          {"pipeline", s.pipeline},
          {"package", s.package},
          {"branch", s.branch},
          {"status", s.status},
          {"reason", s.reason},
          {"version", s.version},
          {"previous_version", s.previous_version},
          {"bump", s.bump},
          {"tag", s.tag},
          {"head", s.head},
          {"commit", s.commit},
          {"changelog", s.changelog},
          {"files", s.files},
          {"quality", {{"jobs", s.quality_jobs},
                       {"run", s.quality_run},
                       {"failed_jobs", s.failed_jobs},
                       {"gate", s.gate}}},
          {"remote", s.remote},
          {"deployment", deployment},
          {"steps", steps},
          {"started_at", Iso(s.started_ms)},
          {"finished_at", Iso(s.finished_ms)},
          {"duration_ms", s.finished_ms > 0 ? s.finished_ms - s.started_ms : 0}};
}

Status WriteStatusFile(const std::string& path, const nlohmann::json& doc) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return Error{"cannot create " + p.parent_path().string() + ": " + ec.message()};
  const std::string tmp = path + ".tmp";
  const std::string text = doc.dump(2) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Errno("write " + tmp, errno);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Error::Errno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Error::Errno("write " + tmp, errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Error::Errno("rename to " + path, errno);
  return Ok();
}

}  // namespace gauntlet::release
