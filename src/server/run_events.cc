#include "server/run_events.h"

#include "core/clock.h"
#include "store/run_recorder.h"

namespace gauntlet::server {

using nlohmann::json;

void RunEvents::Publish(const std::string& type, json data) {
  data.update(about_);
  data["at_ms"] = RealClock().UnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  if (run_id_ == 0) {
    held_.emplace_back(type, std::move(data));
    return;
  }
  data["run_id"] = run_id_;
  bus_->Publish(type, std::move(data));
}

void RunEvents::SetRun(int64_t run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  run_id_ = run_id;
  for (auto& [type, data] : held_) {
    data["run_id"] = run_id;
    bus_->Publish(type, std::move(data));
  }
  held_.clear();
}

void RunEvents::RunFinished(const std::string& status) {
  Publish("run", {{"what", "finished"}, {"status", status}});
}

void RunEvents::DeployLine(const std::string& job, const std::string& line) {
  Publish("deployment", {{"what", "step"}, {"job", job}, {"detail", line}});
}

void RunEvents::OnJobStarted(const plan::PlannedJob& job, int attempt) {
  Publish("job", {{"what", "started"}, {"job", job.name}, {"attempt", attempt}});
}

void RunEvents::OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) {
  const std::string status(store::ToString(store::ToJobStatus(result)));
  Publish("job", {{"what", "finished"},
                  {"job", job.name},
                  {"status", status},
                  {"attempts", result.attempts},
                  {"duration_ms", result.duration.count() / 1000},
                  {"reason", result.reason}});
  if (job.kind != plan::PlannedJob::Kind::kDeploy) return;
  // A deploy stage's result names its deployment (engine/deploy_stage.cc).
  json deployment = nullptr;
  for (const auto& [key, value] : result.outputs)
    if (key == "deployment") deployment = std::stoll(value);
  Publish("deployment", {{"what", "finished"}, {"job", job.name}, {"status", status},
                         {"deployment", deployment}, {"reason", result.reason}});
}

}  // namespace gauntlet::server
