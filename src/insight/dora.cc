#include "insight/dora.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "store/deploy_records.h"

namespace gauntlet::insight {
namespace {

constexpr int64_t kDoraHourMs = 3600 * 1000;
constexpr int64_t kDoraDayMs = 24 * kDoraHourMs;

// `gauntlet rollback` deploys an earlier release: it restores, it is not a change.
bool IsChange(const store::DeploymentHistory& d) { return d.strategy != "rollback"; }

bool Finished(const store::DeploymentHistory& d) {
  return d.state == store::kDeploySucceeded || d.state == store::kDeployRolledBack ||
         d.state == store::kDeployFailed;
}

// The deployment an incident blames: the newest change deployment started before it of
// the version it names in its environment, or, for an incident without environment (a
// revert), of the commit it names. -1 when none.
int Blamed(const std::vector<const store::DeploymentHistory*>& env,
           const store::IncidentRecord& incident) {
  for (int i = static_cast<int>(env.size()) - 1; i >= 0; --i) {
    const store::DeploymentHistory& d = *env[i];
    if (!IsChange(d) || d.started_ms > incident.at_ms) continue;
    bool match = incident.environment.empty()
                     ? !incident.git_commit.empty() && incident.git_commit == d.git_commit
                 : !incident.version.empty() ? incident.version == d.version
                                             : incident.git_commit == d.git_commit;
    if (match) return i;
  }
  return -1;
}

std::optional<int64_t> Median(std::vector<int64_t> values) { return Percentile(values, 50); }

// One environment's deployments, oldest first.
DoraEnvironment ComputeOne(const std::string& name,
                           const std::vector<const store::DeploymentHistory*>& env,
                           const std::vector<store::IncidentRecord>& incidents,
                           const Window& window) {
  DoraEnvironment out;
  out.environment = name;
  std::vector<std::optional<int64_t>> failed_at(env.size());
  for (size_t i = 0; i < env.size(); ++i) {
    const store::DeploymentHistory& d = *env[i];
    if (IsChange(d) && d.state != store::kDeploySucceeded) failed_at[i] = d.finished_ms;
  }
  for (const store::IncidentRecord& incident : incidents) {
    if (!incident.environment.empty() && incident.environment != name) continue;
    int i = Blamed(env, incident);
    if (i >= 0 && !failed_at[i]) failed_at[i] = incident.at_ms;
  }
  std::vector<int64_t> lead_times;
  // Failures and good deployments in time order: a restore closes the first failure
  // after the last good deployment.
  std::vector<std::pair<int64_t, bool>> events;  // (time, failed)
  for (size_t i = 0; i < env.size(); ++i) {
    const store::DeploymentHistory& d = *env[i];
    if (d.finished_ms < window.since || (window.until > 0 && d.finished_ms >= window.until)) {
      continue;
    }
    if (failed_at[i]) events.emplace_back(*failed_at[i], true);
    if (d.state == store::kDeploySucceeded && !failed_at[i])
      events.emplace_back(d.finished_ms, false);
    if (!IsChange(d)) continue;
    ++out.deployments;
    if (failed_at[i]) ++out.failed_changes;
    if (d.state != store::kDeploySucceeded) continue;
    ++out.succeeded;
    out.latest_deployment = d.id;
    out.observed_p50_ms = d.observed_p50_ms;
    out.observed_p95_ms = d.observed_p95_ms;
    out.observed_p99_ms = d.observed_p99_ms;
    out.observed_error_rate = d.observed_error_rate;
    if (d.commit_ms > 0 && d.finished_ms - d.commit_ms > 0) {
      lead_times.push_back(d.finished_ms - d.commit_ms);
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int64_t> restores;
  std::optional<int64_t> down_since;
  for (const auto& [at, failed] : events) {
    if (failed) {
      if (!down_since) down_since = at;
      ++out.unrestored;
    } else if (down_since) {
      restores.push_back(at - *down_since);
      down_since.reset();
      out.unrestored = 0;
    }
  }
  const double days = static_cast<double>(window.until - window.since) / kDoraDayMs;
  out.per_day = days > 0 ? static_cast<double>(out.succeeded) / days : 0;
  out.frequency_band = FrequencyBand(out.per_day);
  out.lead_time_samples = static_cast<int64_t>(lead_times.size());
  out.lead_time_ms = Median(std::move(lead_times));
  if (out.lead_time_ms) out.lead_time_band = LeadTimeBand(*out.lead_time_ms);
  if (out.deployments > 0) {
    out.change_failure_rate =
        static_cast<double>(out.failed_changes) / static_cast<double>(out.deployments);
    out.change_failure_band = ChangeFailureBand(*out.change_failure_rate);
  }
  out.restores = static_cast<int64_t>(restores.size());
  out.time_to_restore_ms = Median(std::move(restores));
  if (out.time_to_restore_ms) out.time_to_restore_band = RestoreBand(*out.time_to_restore_ms);
  return out;
}

}  // namespace

std::string FrequencyBand(double per_day) {
  if (per_day >= 1.0) return "elite";        // on demand: daily or more
  if (per_day >= 1.0 / 7) return "high";     // between once per day and once per week
  if (per_day >= 1.0 / 30) return "medium";  // between once per week and once per month
  return "low";
}

std::string LeadTimeBand(int64_t ms) {
  if (ms < kDoraDayMs) return "elite";
  if (ms < 7 * kDoraDayMs) return "high";
  if (ms < 30 * kDoraDayMs) return "medium";
  return "low";
}

std::string ChangeFailureBand(double rate) {
  if (rate <= 0.05) return "elite";
  if (rate <= 0.10) return "high";
  if (rate <= 0.15) return "medium";
  return "low";
}

std::string RestoreBand(int64_t ms) {
  if (ms < kDoraHourMs) return "elite";
  if (ms < kDoraDayMs) return "high";
  if (ms < 7 * kDoraDayMs) return "medium";
  return "low";
}

std::vector<DoraEnvironment> ComputeDora(const std::vector<store::DeploymentHistory>& deployments,
                                         const std::vector<store::IncidentRecord>& incidents,
                                         const Window& window) {
  std::map<std::string, std::vector<const store::DeploymentHistory*>> by_env;
  for (const store::DeploymentHistory& d : deployments) {
    if (Finished(d)) by_env[d.environment].push_back(&d);
  }
  std::vector<DoraEnvironment> out;
  for (auto& [name, env] : by_env) {
    std::stable_sort(env.begin(), env.end(), [](const auto* a, const auto* b) {
      return std::tie(a->started_ms, a->id) < std::tie(b->started_ms, b->id);
    });
    DoraEnvironment e = ComputeOne(name, env, incidents, window);
    if (e.deployments > 0 || e.restores > 0) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gauntlet::insight
