#include "engine/seed.h"

#include <algorithm>
#include <unordered_map>

#include "core/hash.h"

namespace gauntlet::engine {

Result<Seed> SucceededJobs(store::Store& store, store::RunId run, const plan::Plan& plan,
                           bool resumed) {
  auto jobs = store.GetJobs(run);
  if (!jobs.ok()) return jobs.error();
  // Their artifacts travel with them: dependents that run now get the files.
  auto artifacts = store.GetArtifacts(run);
  if (!artifacts.ok()) return artifacts.error();
  std::unordered_map<int, std::string> manifests;
  for (store::ArtifactRecord& a : *artifacts) manifests[a.job_index] = std::move(a.manifest);
  std::unordered_map<std::string, plan::JobId> by_name;
  for (const plan::PlannedJob& j : plan.jobs) by_name.emplace(j.name, j.id);
  Seed seed;
  for (const store::JobRecord& rec : *jobs) {
    if (rec.status != store::JobStatus::kSuccess && rec.status != store::JobStatus::kCached)
      continue;
    auto it = by_name.find(rec.name);
    if (it == by_name.end()) continue;
    exec::JobResult r;
    r.state = exec::JobState::kSuccess;
    r.attempts = rec.attempts;
    r.resumed = resumed;
    r.outputs.assign(rec.outputs.begin(), rec.outputs.end());
    r.reason = "succeeded in run " + std::to_string(run);
    if (auto m = manifests.find(rec.index); m != manifests.end()) r.artifacts = m->second;
    seed.emplace_back(it->second, std::move(r));
  }
  return seed;
}

void AddUnselected(const plan::Plan& plan, const std::vector<plan::JobId>& selected,
                   const Seed& earlier, const std::string& flag, Seed* seed) {
  std::vector<bool> keep(plan.jobs.size(), false);
  for (plan::JobId id : selected) keep[id] = true;
  for (const auto& [id, r] : *seed) keep[id] = true;  // already seeded (resume)
  for (const plan::PlannedJob& job : plan.jobs) {
    if (keep[job.id]) continue;
    auto it = std::find_if(earlier.begin(), earlier.end(),
                           [&](const auto& e) { return e.first == job.id; });
    if (it != earlier.end()) {
      seed->push_back(*it);
      continue;
    }
    exec::JobResult r;
    r.state = exec::JobState::kSkipped;
    r.resumed = true;
    r.reason = "not selected (" + flag + ")";
    seed->emplace_back(job.id, std::move(r));
  }
}

std::string PlanFingerprint(const plan::Plan& plan) {
  Hasher h;
  for (const plan::PlannedJob& job : plan.jobs) {
    h.Field(job.name);
    for (plan::JobId n : job.needs) h.Field(plan.jobs[n].name);
    h.Field("|");
  }
  return h.Final().Hex();
}

std::string PlanNeedsJson(const plan::Plan& plan) {
  std::string out = "[";
  for (const plan::PlannedJob& job : plan.jobs) {
    if (out.size() > 1) out += ',';
    out += '[';
    for (size_t i = 0; i < job.needs.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(job.needs[i]);
    }
    out += ']';
  }
  return out + "]";
}

}  // namespace gauntlet::engine
