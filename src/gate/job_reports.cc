#include "gate/job_reports.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cache/confined.h"
#include "core/glob.h"
#include "gate/repo_paths.h"

namespace gauntlet::gate {

namespace fs = std::filesystem;

namespace {

// File timestamps come from the kernel's coarse clock and may trail the
// engine's clock a little; a stale report is older than that by far.
constexpr int64_t kClockSlackMs = 1000;

std::string Absolute(const JobReportContext& c) {
  fs::path dir(c.job_dir);
  if (dir.is_relative()) dir = fs::path(c.workspace_root) / dir;
  return dir.lexically_normal().string();
}

// The file's content, read beneath the workspace only (no "..", no symlink out).
Result<std::string> ReadConfined(const JobReportContext& c, const std::string& path) {
  if (fs::path(path).is_absolute())
    return Error{
        "is an absolute path: report paths are relative to the job's working "
        "directory, inside the workspace; not read"};
  const fs::path root = fs::path(c.workspace_root).lexically_normal();
  const fs::path rel = (fs::path(Absolute(c)) / path).lexically_normal().lexically_relative(root);
  if (rel.empty() || *rel.begin() == ".." || !IsCleanRelativePath(rel.string()))
    return Error{"escapes the workspace " + root.string() + "; not read"};
  auto root_fd = cache::OpenRoot(root.string());
  if (!root_fd.ok()) return root_fd.error();
  const std::string rel_path = rel.string();
  const auto [parent, base] = cache::SplitParent(rel_path);
  auto dir = cache::OpenDirBeneath(root_fd->get(), parent, false);
  if (!dir.ok()) {
    if (dir.error().message.find("No such file") != std::string::npos)
      return Error{"no such file (the job did not write it)"};
    return dir.error();
  }
  const std::string name(base);
  cache::Fd fd(::openat(dir->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ENOENT) return Error{"no such file (the job did not write it)"};
    if (err == ELOOP)
      return Error{"is a symlink, which could lead outside the workspace; not read"};
    return Error::Errno("open", err);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::Errno("stat", errno);
  if (!S_ISREG(st.st_mode)) return Error{"is not a regular file; not read"};
  if (st.st_size > c.max_bytes) {
    auto size = [](int64_t n) {
      return n >= (1 << 20) ? std::to_string(n >> 20) + " MiB" : std::to_string(n) + " bytes";
    };
    return Error{"is " + size(st.st_size) + ", more than the " + size(c.max_bytes) +
                 " read; not read"};
  }
  const int64_t mtime_ms = int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1'000'000;
  if (c.not_before_ms > 0 && mtime_ms + kClockSlackMs < c.not_before_ms)
    return Error{"was not written by this run (it is older than the job); not read"};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Errno("read", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

}  // namespace

JobReports ReadJobReports(const spec::Reports& reports, const JobReportContext& context) {
  JobReports out;
  if (reports.junit.empty() && reports.coverage.empty()) return out;
  const RepoPaths paths(context.repo_root, Absolute(context));
  auto warn = [&](const char* kind, const std::string& file, const std::string& why) {
    out.warnings.push_back(std::string(kind) + " report '" + file + "' " + why);
  };
  if (!reports.junit.empty()) {
    auto text = ReadConfined(context, reports.junit);
    if (!text.ok()) {
      warn("junit", reports.junit, text.error().message);
    } else if (auto parsed = ParseJUnit(*text); !parsed.ok()) {
      warn("junit", reports.junit, "cannot be read as JUnit XML: " + parsed.error().message);
    } else {
      paths.Apply(parsed->diagnostics);
      out.tests = std::move(*parsed);
    }
  }
  if (!reports.coverage.empty()) {
    auto text = ReadConfined(context, reports.coverage);
    if (!text.ok()) {
      warn("coverage", reports.coverage, text.error().message);
    } else if (auto parsed = ParseCoverage(*text); !parsed.ok()) {
      warn("coverage", reports.coverage,
           "cannot be read as lcov, Cobertura XML or coverage-summary.json: " +
               parsed.error().message);
    } else {
      paths.Apply(*parsed);
      out.coverage = std::move(*parsed);
    }
  }
  return out;
}

}  // namespace gauntlet::gate
