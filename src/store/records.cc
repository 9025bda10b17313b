#include "store/records.h"

#include <array>

namespace gauntlet::store {
namespace {

constexpr std::array<std::string_view, 7> kRunStatus = {
    "queued", "running", "success", "failed", "cancelled", "interrupted", "skipped"};
constexpr std::array<std::string_view, 7> kJobStatus = {"pending", "running",   "success", "failed",
                                                        "skipped", "cancelled", "cached"};

}  // namespace

std::string_view ToString(RunStatus s) { return kRunStatus[static_cast<size_t>(s)]; }
std::string_view ToString(JobStatus s) { return kJobStatus[static_cast<size_t>(s)]; }

std::optional<RunStatus> ParseRunStatus(std::string_view s) {
  for (size_t i = 0; i < kRunStatus.size(); ++i) {
    if (kRunStatus[i] == s) return static_cast<RunStatus>(i);
  }
  return std::nullopt;
}

std::optional<JobStatus> ParseJobStatus(std::string_view s) {
  for (size_t i = 0; i < kJobStatus.size(); ++i) {
    if (kJobStatus[i] == s) return static_cast<JobStatus>(i);
  }
  return std::nullopt;
}

namespace {
constexpr std::string_view kStorageErrorPrefix = "storage error: ";
}  // namespace

std::string StorageErrorReason(std::string_view error) {
  return std::string(kStorageErrorPrefix) + std::string(error);
}

bool StoppedByStorageError(const RunRecord& run) {
  return run.status == RunStatus::kFailed && run.reason.starts_with(kStorageErrorPrefix);
}

}  // namespace gauntlet::store
