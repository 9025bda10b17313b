#include "server/metrics.h"

#include <fmt/core.h>

#include <chrono>
#include <algorithm>
#include <map>
#include <tuple>

#include "exec/results.h"

namespace gauntlet::server {
namespace {

constexpr const char* kDeliveryNames[] = {"queued",     "duplicate",   "acknowledged",
                                          "unauthorized", "malformed", "unknown_repo",
                                          "too_large"};
static_assert(std::size(kDeliveryNames) == static_cast<size_t>(Delivery::kCount));

// A label value with Prometheus' escapes (backslash, quote, newline).
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// gauntlet_deployments_total by repository, environment and outcome (the state a
// deployment ended in, or `running`/`paused`), and the weight of each active one.
void RenderDeployments(const std::vector<DeploymentSample>& deployments, std::string* out) {
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counts;
  for (const DeploymentSample& d : deployments) counts[{d.repo, d.environment, d.state}]++;
  *out +=
      "# HELP gauntlet_deployments_total Deployments recorded, by repository, environment and "
      "outcome.\n# TYPE gauntlet_deployments_total counter\n";
  for (const auto& [key, n] : counts) {
    const auto& [repo, env, state] = key;
    *out += fmt::format(
        "gauntlet_deployments_total{{repo=\"{}\",environment=\"{}\",outcome=\"{}\"}} {}\n",
        Label(repo), Label(env), Label(state), n);
  }
  *out +=
      "# HELP gauntlet_deployment_weight Traffic percent on the new version of each active "
      "deployment.\n# TYPE gauntlet_deployment_weight gauge\n";
  for (const DeploymentSample& d : deployments) {
    if (!d.active) continue;
    *out += fmt::format(
        "gauntlet_deployment_weight{{repo=\"{}\",environment=\"{}\",deployment=\"{}\","
        "strategy=\"{}\"}} {}\n",
        Label(d.repo), Label(d.environment), d.id, Label(d.strategy), std::max(0, d.weight));
  }
}

}  // namespace

void Metrics::ObserveJob(double seconds) {
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  buckets_[i]++;
  job_ms_sum_ += static_cast<int64_t>(seconds * 1000);
}

std::string Metrics::Render(const std::vector<QueueCount>& queue,
                            const std::vector<DeploymentSample>& deployments) const {
  std::string out;
  out +=
      "# HELP gauntlet_queue_items Queue items by state (queued, running, done, ignored, "
      "error, cancelled).\n# TYPE gauntlet_queue_items gauge\n";
  std::map<std::string, int64_t> by_state = {
      {"queued", 0}, {"running", 0}, {"done", 0}, {"ignored", 0}, {"error", 0}, {"cancelled", 0}};
  for (const QueueCount& q : queue) by_state[q.state] += q.count;
  for (const auto& [state, n] : by_state)
    out += fmt::format("gauntlet_queue_items{{state=\"{}\"}} {}\n", Label(state), n);
  out +=
      "# HELP gauntlet_runs_total Runs the server finished, by repository and status.\n"
      "# TYPE gauntlet_runs_total counter\n";
  for (const QueueCount& q : queue)
    if (q.state == "done")
      out += fmt::format("gauntlet_runs_total{{repo=\"{}\",status=\"{}\"}} {}\n", Label(q.repo),
                         Label(q.reason), q.count);
  out +=
      "# HELP gauntlet_webhook_deliveries_total Webhook deliveries since the server started, "
      "by outcome.\n# TYPE gauntlet_webhook_deliveries_total counter\n";
  for (size_t i = 0; i < deliveries_.size(); ++i)
    out += fmt::format("gauntlet_webhook_deliveries_total{{outcome=\"{}\"}} {}\n",
                       kDeliveryNames[i], deliveries_[i].load());
  out +=
      "# HELP gauntlet_job_duration_seconds Durations of the jobs of the server's runs since "
      "it started.\n# TYPE gauntlet_job_duration_seconds histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i].load();
    out += fmt::format("gauntlet_job_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i],
                       cumulative);
  }
  cumulative += buckets_.back().load();
  out += fmt::format("gauntlet_job_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("gauntlet_job_duration_seconds_sum {:.3f}\n", job_ms_sum_.load() / 1000.0);
  out += fmt::format("gauntlet_job_duration_seconds_count {}\n", cumulative);
  RenderDeployments(deployments, &out);
  return out;
}

void JobTimer::OnJobFinished(const plan::PlannedJob&, const exec::JobResult& result) {
  if (result.attempts == 0) return;  // skipped or cached: nothing ran
  m_->ObserveJob(std::chrono::duration<double>(result.duration).count());
}

}  // namespace gauntlet::server
