#include "engine/artifacts.h"

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <utility>

#include "store/artifact_manifest.h"

namespace gauntlet::engine {
namespace {

bool Selected(const std::string& name, const std::string& wanted) {
  return wanted.empty() || name == wanted || name.starts_with(wanted + " (");
}

// Two jobs leaving different files at one path cannot both be copied out there.
Status CheckOneContentPerPath(const std::vector<JobArtifacts>& jobs) {
  std::map<std::string, std::pair<std::string, std::string>> seen;  // path -> job, hash
  for (const JobArtifacts& j : jobs) {
    for (const auto& f : j.files) {
      auto [it, fresh] = seen.emplace(f.path, std::make_pair(j.job, f.hash));
      if (fresh || it->second.second == f.hash) continue;
      if (it->second.first == j.job) {
        return Error::Conflict(fmt::format(
            "job '{}' lists '{}' twice with different contents: its artifact record is damaged",
            j.job, f.path));
      }
      return Error::Conflict(fmt::format(
          "jobs '{}' and '{}' both stored '{}' with different contents: name one job to download",
          it->second.first, j.job, f.path));
    }
  }
  return Ok();
}

}  // namespace

Result<std::vector<JobArtifacts>> ListArtifacts(store::Store& s, store::RunId run,
                                                const std::string& job) {
  auto records = s.GetArtifacts(run);
  if (!records.ok()) return records.error();
  std::vector<JobArtifacts> jobs;
  for (const store::ArtifactRecord& rec : *records) {
    if (!Selected(rec.job, job)) continue;
    auto manifest = store::ManifestFromJson(rec.manifest);
    if (!manifest.ok()) {
      return Error::Conflict(fmt::format("run {}, job {}: refusing its artifact record: {}", run,
                                         rec.job, manifest.error().message));
    }
    jobs.push_back({rec.job, std::move(*manifest)});
  }
  if (!job.empty() && jobs.empty()) {
    return Error::NotFound(fmt::format("run {} has no artifacts of a job named '{}'", run, job));
  }
  return jobs;
}

Result<std::string> DownloadArtifacts(const std::vector<JobArtifacts>& jobs,
                                      const std::string& artifacts_dir, const std::string& dir) {
  if (Status s = CheckOneContentPerPath(jobs); !s.ok()) return s.error();
  std::error_code ec;
  std::string dest = std::filesystem::absolute(dir, ec).string();
  std::filesystem::create_directories(dest, ec);
  if (ec) return Error{"cannot create " + dest + ": " + ec.message()};
  store::ArtifactStore objects(artifacts_dir);
  for (const JobArtifacts& j : jobs) {
    auto r = objects.Restore(j.files, dest);
    if (!r.ok()) {
      return Error{fmt::format("downloading the artifacts of {}: {}", j.job, r.error().message)};
    }
  }
  return dest;
}

}  // namespace gauntlet::engine
