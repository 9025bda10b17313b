#include "store/cache_hooks.h"

#include <sys/stat.h>

#include <map>

#include "cache/cache_key.h"
#include "cache/change_filter.h"
#include "cache/hasher.h"
#include "cache/job_definition.h"
#include "store/artifact_manifest.h"

namespace gauntlet::store {

using exec::JobResult;
using exec::JobState;

CacheHooks::CacheHooks(const plan::Plan& plan, Store* store, CacheHooksOptions options)
    : plan_(plan),
      store_(store),
      options_(std::move(options)),
      artifacts_(options_.artifacts_dir),
      stat_cache_(options_.stat_cache.empty() ? cache::StatCache()
                                              : cache::StatCache::Load(options_.stat_cache)),
      inputs_(options_.workspace, &stat_cache_) {
  // Deploy steps run without asking the hooks, and their commands may write anywhere.
  for (const plan::PlannedJob& job : plan_.jobs) {
    if (job.kind == plan::PlannedJob::Kind::kDeploy) inputs_.WorkTreeMayChange();
  }
}

CacheHooks::~CacheHooks() { (void)stat_cache_.Save(); }

std::string CacheHooks::WorkDir(const plan::PlannedJob& job) const {
  const std::string& wd = job.working_directory;
  if (wd.empty() || wd == ".") return options_.workspace;
  if (wd.front() == '/') return wd;
  return options_.workspace + "/" + wd;
}

Result<std::string> CacheHooks::Key(const plan::PlannedJob& job,
                                    const std::vector<JobResult>& results) {
  cache::CacheKeyParts parts;
  parts.definition = cache::JobDefinition(plan_, job, options_.branch, options_.event);
  auto inputs = inputs_.Hash(job.spec->inputs, options_.hash_threads);
  if (!inputs.ok()) return Error{"inputs: " + inputs.error().message};
  parts.inputs = inputs->digest;
  for (plan::JobId n : job.needs) {
    const JobResult& r = results[n];
    auto& outputs = parts.need_outputs[plan_.jobs[n].name];
    outputs.insert(r.outputs.begin(), r.outputs.end());
    // ':' cannot appear in an output name, so these never collide with real outputs.
    outputs["gauntlet:result"] = exec::JobStateName(r.state);
    if (!r.artifacts.empty()) outputs["gauntlet:artifacts"] = r.artifacts;
  }
  return cache::CacheKey(parts);
}

namespace {

bool StatFile(const std::string& path, uint64_t* ino, uint64_t* size, int64_t* mtime_ns) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *ino = st.st_ino;
  *size = static_cast<uint64_t>(st.st_size);
  *mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

void CacheHooks::Stamp(const std::vector<ArtifactEntry>& manifest, const std::string& dir) {
  for (const ArtifactEntry& e : manifest) {
    const std::string path = dir + "/" + e.path;
    FileStamp s;
    if (StatFile(path, &s.ino, &s.size, &s.mtime_ns) && s.size == e.size) {
      s.hash = e.hash;
      stamps_[path] = std::move(s);
    } else {
      stamps_.erase(path);
    }
  }
}

Status CacheHooks::Restore(const std::vector<ArtifactEntry>& manifest, const std::string& dir) {
  std::vector<ArtifactEntry> missing;
  for (const ArtifactEntry& e : manifest) {
    auto it = stamps_.find(dir + "/" + e.path);
    FileStamp now;
    if (it != stamps_.end() && it->second.hash == e.hash &&
        StatFile(it->first, &now.ino, &now.size, &now.mtime_ns) && now.ino == it->second.ino &&
        now.size == it->second.size && now.mtime_ns == it->second.mtime_ns) {
      continue;  // still the very file this run put there
    }
    missing.push_back(e);
  }
  if (missing.empty()) return Ok();
  auto restored = artifacts_.Restore(missing, dir);
  inputs_.Forget();  // files under the workspace were (perhaps partly) rewritten
  if (!restored.ok()) return restored.error();
  Stamp(missing, dir);
  return Ok();
}

Status CacheHooks::RestoreNeeds(const plan::PlannedJob& job,
                                const std::vector<JobResult>& results) {
  for (plan::JobId n : job.needs) {
    const JobResult& r = results[n];
    if (r.artifacts.empty()) continue;
    auto manifest = ManifestFromJson(r.artifacts);
    if (!manifest.ok()) {
      return Error{"artifacts of " + plan_.jobs[n].name + ": " + manifest.error().message};
    }
    if (manifest->empty()) continue;
    Status restored = Restore(*manifest, WorkDir(job));
    if (!restored.ok()) {
      return Error{"restoring the artifacts of " + plan_.jobs[n].name + ": " +
                   restored.error().message};
    }
  }
  return Ok();
}

Result<std::optional<JobResult>> CacheHooks::BeforeStart(const plan::PlannedJob& job,
                                                         const std::vector<JobResult>& results) {
  auto r = Decide(job, results);
  // The job is about to run, and may write anything anywhere while it does and after.
  if (r.ok() && !r->has_value()) inputs_.WorkTreeMayChange();
  return r;
}

Result<std::optional<JobResult>> CacheHooks::Decide(const plan::PlannedJob& job,
                                                    const std::vector<JobResult>& results) {
  const spec::Job* spec = job.spec;
  if (spec == nullptr) return std::optional<JobResult>();
  if (!spec->changes.empty() && options_.changes != nullptr) {
    cache::ChangeDecision d = cache::Decide(spec->changes, *options_.changes);
    if (!d.run) {
      JobResult r;
      r.state = JobState::kSkipped;  // not upstream_failed: dependents see it as passed
      r.reason = std::move(d.reason);
      return std::optional<JobResult>(std::move(r));
    }
  }
  if (Status s = RestoreNeeds(job, results); !s.ok()) return s.error();
  if (spec->inputs.empty() || !spec->cache) return std::optional<JobResult>();

  auto key = Key(job, results);
  if (!key.ok()) return key.error();
  keys_[job.id] = *key;
  if (!options_.lookup) return std::optional<JobResult>();
  auto entry = store_->FindCacheEntry(*key);
  // An unreadable cache is a miss: the job runs, which is always correct.
  if (!entry.ok() || !*entry) return std::optional<JobResult>();
  const CacheEntry& e = **entry;
  auto manifest = ManifestFromJson(e.artifacts);
  if (!manifest.ok()) return std::optional<JobResult>();
  if (!manifest->empty() && !Restore(*manifest, WorkDir(job)).ok()) {
    return std::optional<JobResult>();  // objects pruned or damaged: run it again
  }
  JobResult r;
  r.state = JobState::kSuccess;
  r.cached = true;
  r.cache_key = *key;
  r.cache_last_used_ms = e.last_used_ms;
  r.outputs.assign(e.outputs.begin(), e.outputs.end());
  if (!spec->artifacts.empty()) r.artifacts = e.artifacts;
  r.reason = "cached: same inputs as in run " + std::to_string(e.run_id);
  keys_.erase(job.id);
  return std::optional<JobResult>(std::move(r));
}

Status CacheHooks::AfterSuccess(const plan::PlannedJob& job, JobResult* result) {
  const spec::Job* spec = job.spec;
  if (spec == nullptr) return Ok();
  if (!spec->artifacts.empty()) {
    auto manifest = artifacts_.Put(WorkDir(job), spec->artifacts);
    if (!manifest.ok()) {
      const std::string& m = manifest.error().message;
      return Error{m.starts_with("artifacts: ") ? m : "artifacts: " + m};
    }
    result->artifacts = ManifestToJson(*manifest);
    Stamp(*manifest, WorkDir(job));
  }
  if (auto it = keys_.find(job.id); it != keys_.end()) {
    result->cache_key = std::move(it->second);
    keys_.erase(it);
  }
  return Ok();
}

}  // namespace gauntlet::store
